// HTTP status codes as messages show them. Deciding what a status means is left to the callers
// (registry errors, the token exchange).
#pragma once

#include <string>
#include <string_view>

namespace hocker::http {

/// The standard reason phrase for `status` (RFC 9110 §15: "Not Found"), or "" for a status
/// hocker does not name.
std::string_view reason_phrase(long status);

/// `status` with its reason phrase when it has one: "404 Not Found", "418".
std::string status_text(long status);

}  // namespace hocker::http
