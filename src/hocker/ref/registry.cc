// Registry: the domain as references write it, and the URL a client contacts.
#include <algorithm>
#include <charconv>

#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/ref/grammar.h"
#include "hocker/ref/reference.h"

namespace hocker::ref {
namespace {

constexpr std::string_view kDockerHubApiHost = "registry-1.docker.io";
constexpr std::string_view kDockerHubIndexHost = "index.docker.io";

[[noreturn]] void fail(std::string_view uri, const std::string& reason) {
  throw Error(ErrorKind::kUsage,
              "invalid registry URI " + quote_untrusted(strip_userinfo(uri)) + ": " + reason);
}

bool is_ipv4_loopback(std::string_view host) {
  int octets = 0;
  bool first_is_127 = false;
  while (true) {
    std::size_t dot = host.find('.');
    std::string_view part = host.substr(0, dot);
    int value = -1;
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || error != std::errc() ||
        end != part.data() + part.size() || value > 255) {
      return false;
    }
    if (octets == 0) first_is_127 = value == 127;
    ++octets;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  return octets == 4 && first_is_127;
}

// Docker Hub goes by several names in --registry URIs; all mean the same registry.
std::string normalise_domain(std::string_view domain) {
  return is_docker_hub_host(domain) ? std::string(kDockerHubDomain) : std::string(domain);
}

}  // namespace

bool is_docker_hub_host(std::string_view host) {
  std::string lower = ascii_lowercase(host);
  return lower == kDockerHubDomain || lower == kDockerHubIndexHost || lower == kDockerHubApiHost;
}

std::string Registry::api_host() const {
  return is_docker_hub() ? std::string(kDockerHubApiHost) : domain;
}

std::string Registry::base_url() const {
  return (scheme.empty() ? std::string("https") : scheme) + "://" + api_host();
}

bool Registry::is_docker_hub() const {
  return domain == kDockerHubDomain;
}

bool Registry::is_loopback() const {
  std::string host = ascii_lowercase(grammar::host_of(domain));
  return host == "localhost" || host == "[::1]" || is_ipv4_loopback(host);
}

Registry Registry::parse_uri(std::string_view uri) {
  Registry registry;
  std::string_view rest = uri;
  if (std::size_t separator = rest.find("://"); separator != std::string_view::npos) {
    registry.scheme = ascii_lowercase(rest.substr(0, separator));
    if (registry.scheme != "https" && registry.scheme != "http") {
      fail(uri, "the scheme must be https or http");
    }
    rest.remove_prefix(separator + 3);
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    fail(uri, "a query or fragment is not allowed");
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    fail(uri, "credentials in the URI are not supported; use --username and --password");
  }
  if (!path.empty() && path != "/" && path != "/v2" && path != "/v2/") {
    fail(uri, "the only path allowed is /v2/");
  }
  if (auto problem = grammar::domain_problem(authority)) fail(uri, *problem);
  registry.domain = normalise_domain(authority);
  return registry;
}

}  // namespace hocker::ref
