// The pieces of Docker's reference grammar (distribution/reference, reference.go) that both
// references and --registry URIs need: domains, repository paths, tags. Internal to ref.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hocker::ref::grammar {

/// Why `domain` (host[:port], host a DNS name, IPv4 address or [IPv6] literal) is not one, or
/// nullopt when it is valid.
std::optional<std::string> domain_problem(std::string_view domain);

/// Why `path` (slash-separated components [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*) is not a
/// repository path, or nullopt. A valid path has no empty, "." or ".." component.
std::optional<std::string> path_problem(std::string_view path);

/// Whether `tag` matches [\w][\w.-]{0,127}.
bool is_valid_tag(std::string_view tag);

/// The host part of `domain` without its port ("[::1]" stays bracketed).
std::string_view host_of(std::string_view domain);

}  // namespace hocker::ref::grammar
