// Standard base64 (RFC 4648 §4): Basic authorization values, docker config `auth` fields and
// Nix SRI hashes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hocker {

/// Encodes with the standard alphabet and '=' padding.
std::string base64_encode(std::string_view data);

/// Decodes standard base64, padded or not, ignoring surrounding whitespace. Returns nullopt on
/// any other character, misplaced padding, or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hocker
