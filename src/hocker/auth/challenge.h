// WWW-Authenticate parsing (RFC 7235 §4.1): the challenges a registry answers a 401 with.
// Deciding what to do with them is left to the Authenticator.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hocker::auth {

struct Challenge {
  std::string scheme;                         ///< lowercased: "bearer", "basic"
  std::map<std::string, std::string> params;  ///< keys lowercased: realm, service, scope, error
};

/// Parses a WWW-Authenticate value: several challenges, quoted strings with escapes, commas
/// inside quotes, token68 (kept under the key ""). Unquoted values may hold ':' and '/' as
/// registries send them. Any syntax error yields an empty vector, never a crash; parsing is
/// linear in the input.
std::vector<Challenge> parse_challenges(std::string_view header);

}  // namespace hocker::auth
