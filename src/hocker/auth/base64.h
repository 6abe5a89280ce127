// Standard base64 (RFC 4648 §4) for Basic authorization values and docker config `auth` fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hocker::auth {

/// Encodes with padding.
std::string base64_encode(std::string_view data);

/// Decodes standard base64, padded or not, ignoring surrounding whitespace. Returns nullopt on
/// any other character or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hocker::auth
