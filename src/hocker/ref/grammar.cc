#include "hocker/ref/grammar.h"

#include <algorithm>
#include <charconv>

#include "hocker/base/text.h"

namespace hocker::ref::grammar {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

bool is_word(char c) {
  return is_alnum(c) || c == '_';
}

bool is_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// domain-component := [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_component(std::string_view text) {
  if (text.empty() || !is_alnum(text.front()) || !is_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool is_domain_name(std::string_view host) {
  while (true) {
    std::size_t dot = host.find('.');
    if (!is_domain_component(host.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    host.remove_prefix(dot + 1);
  }
}

// Docker accepts \[[a-fA-F0-9:]+\] for an IPv6 literal; so do we.
bool is_ipv6_literal(std::string_view host) {
  if (host.size() < 3 || host.front() != '[' || host.back() != ']') return false;
  std::string_view inner = host.substr(1, host.size() - 2);
  return std::all_of(inner.begin(), inner.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
  });
}

bool is_port(std::string_view text) {
  if (!is_digits(text) || text.size() > 5) return false;
  int port = 0;
  std::from_chars(text.data(), text.data() + text.size(), port);
  return port >= 1 && port <= 65535;
}

// A separator between alphanumeric runs: "." or "_" or "__" or one or more "-".
bool is_separator(std::string_view text) {
  if (text == "." || text == "_" || text == "__") return true;
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c == '-'; });
}

bool is_path_component(std::string_view text) {
  if (text.empty() || !is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) return false;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run_end = i;
    while (run_end < text.size() && !is_lower_alnum(text[run_end])) ++run_end;
    if (run_end > i && !is_separator(text.substr(i, run_end - i))) return false;
    i = run_end;
    while (i < text.size() && is_lower_alnum(text[i])) ++i;
  }
  return true;
}

}  // namespace

std::string_view host_of(std::string_view domain) {
  if (domain.starts_with('[')) {
    std::size_t close = domain.find(']');
    return close == std::string_view::npos ? domain : domain.substr(0, close + 1);
  }
  return domain.substr(0, domain.find(':'));
}

std::optional<std::string> domain_problem(std::string_view domain) {
  if (domain.empty()) return "the registry host is empty";
  std::string_view host = host_of(domain);
  std::string_view rest = domain.substr(host.size());
  if (host.empty()) return "the registry has a port but no host";
  if (!is_ipv6_literal(host) && !is_domain_name(host)) return "invalid registry host";
  if (rest.empty()) return std::nullopt;
  if (rest.front() != ':' || !is_port(rest.substr(1))) return "invalid registry port";
  return std::nullopt;
}

std::optional<std::string> path_problem(std::string_view path) {
  if (path.empty()) return "repository name is empty";
  if (std::any_of(path.begin(), path.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return "repository name must be lowercase";
  }
  while (true) {
    std::size_t slash = path.find('/');
    std::string_view component = path.substr(0, slash);
    if (component.empty()) return "repository name has an empty path component";
    if (!is_path_component(component)) {
      return "invalid repository path component " + quote_untrusted(component);
    }
    if (slash == std::string_view::npos) return std::nullopt;
    path.remove_prefix(slash + 1);
  }
}

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || !is_word(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

}  // namespace hocker::ref::grammar
