// Text helpers of the token exchange: form encoding, scope lists, and the token server's own
// error message turned into one safe line.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hocker::auth {

/// application/x-www-form-urlencoded (RFC 3986 unreserved kept, the rest %XX; no '+').
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

/// Splits a space-separated scope list, dropping empty entries.
std::vector<std::string> split_scopes(std::string_view scopes);

/// The error text of a token server's answer (Docker Hub's "details", OAuth's
/// "error_description", distribution's errors[0].message, or "message"/"error"), made one
/// printable line of at most 200 characters (control characters, C1 included, stripped and
/// registered secrets masked, base/scrub.h); "" when there is none, or when the body is
/// http::kMaxErrorBody bytes or more or nests deeper than 16 levels (not parsed).
std::string server_error_text(std::string_view body);

/// Whether `value` can go in a header: visible ASCII only.
bool is_header_safe(std::string_view value);

}  // namespace hocker::auth
