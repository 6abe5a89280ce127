// Credentials from docker's config.json, matched the way the docker CLI matches them
// (cli/config/configfile and credentials/file_store.go): Docker Hub under
// "https://index.docker.io/v1/", other registries by host[:port] whatever the key's scheme/path.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hocker/auth/credentials.h"
#include "hocker/base/base64.h"
#include "hocker/base/text.h"
#include "hocker/ref/reference.h"

namespace hocker::auth {
namespace {

using nlohmann::json;

constexpr std::string_view kDockerHubKey = "https://index.docker.io/v1/";
constexpr std::chrono::seconds kHelperTimeout{10};

// docker's ConvertToHostname: drop the scheme and anything from the first '/'.
std::string hostname_of(std::string_view key) {
  std::string host = ascii_lowercase(key);
  for (std::string_view scheme : {"https://", "http://"}) {
    if (host.starts_with(scheme)) host.erase(0, scheme.size());
  }
  return host.substr(0, host.find('/'));
}

bool key_matches(std::string_view key, std::string_view domain) {
  std::string host = hostname_of(key);
  std::string wanted = ascii_lowercase(domain);
  return ref::is_docker_hub_host(wanted) ? ref::is_docker_hub_host(host) : host == wanted;
}

std::string server_url_of(std::string_view domain) {
  return ref::is_docker_hub_host(domain) ? std::string(kDockerHubKey) : std::string(domain);
}

std::string string_field(const json& object, const char* name) {
  auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

// One `auths` entry; nullopt for an empty entry (names only: credsStore holds the secret).
std::optional<Credentials> auth_entry(const json& entry, const std::string& key,
                                      const std::string& path, const Warn& warn) {
  if (!entry.is_object()) return std::nullopt;
  Credentials credentials;
  credentials.source = path;
  credentials.username = string_field(entry, "username");
  std::string password = string_field(entry, "password");
  if (std::string encoded = string_field(entry, "auth"); !encoded.empty()) {
    auto decoded = base64_decode(encoded);
    std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      warn("docker config " + path + ": the \"auth\" of " + key +
           " is not base64 of user:password; ignoring it");
      return std::nullopt;
    }
    credentials.username = decoded->substr(0, colon);
    password = decoded->substr(colon + 1);
  }
  if (std::string identity = string_field(entry, "identitytoken"); !identity.empty()) {
    credentials.kind = Credentials::Kind::kIdentityToken;
    credentials.secret = Secret(std::move(identity));
  } else if (std::string token = string_field(entry, "registrytoken"); !token.empty()) {
    credentials.kind = Credentials::Kind::kBearerToken;
    credentials.secret = Secret(std::move(token));
  } else if (!credentials.username.empty() && !password.empty()) {
    credentials.kind = Credentials::Kind::kBasic;
    credentials.secret = Secret(std::move(password));
  } else {
    return std::nullopt;
  }
  return credentials;
}

std::optional<Credentials> from_auths(const json& auths, std::string_view domain,
                                      const std::string& path, const Warn& warn) {
  if (!auths.is_object()) return std::nullopt;
  std::string exact = server_url_of(domain);
  if (auto entry = auths.find(exact); entry != auths.end()) {
    if (auto found = auth_entry(*entry, exact, path, warn)) return found;
  }
  for (auto& [key, entry] : auths.items()) {
    if (key == exact || !key_matches(key, domain)) continue;
    if (auto found = auth_entry(entry, key, path, warn)) return found;
  }
  return std::nullopt;
}

std::string helper_for(const json& helpers, std::string_view domain) {
  if (!helpers.is_object()) return "";
  for (auto& [key, helper] : helpers.items()) {
    if (key_matches(key, domain) && helper.is_string()) return helper.get<std::string>();
  }
  return "";
}

// The config's text, or nullopt when it is absent (silently) or unreadable (with a warning).
std::optional<std::string> read_config(const std::string& path, const Warn& warn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno != ENOENT) warn("cannot read docker config " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string config_path() {
  if (const char* directory = std::getenv("DOCKER_CONFIG"); directory && *directory) {
    return std::string(directory) + "/config.json";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.docker/config.json";
  }
  return "";
}

}  // namespace

std::optional<Credentials> docker_config_credentials_from(const std::string& config_path,
                                                          std::string_view domain, const Warn& warn,
                                                          std::chrono::milliseconds timeout) {
  auto text = read_config(config_path, warn);
  if (!text) return std::nullopt;
  json config = json::parse(*text, nullptr, false);
  if (!config.is_object()) {
    warn("docker config " + config_path + " is not a JSON object; ignoring it");
    return std::nullopt;
  }
  std::string server_url = server_url_of(domain);
  if (std::string helper = helper_for(config.value("credHelpers", json()), domain);
      !helper.empty()) {
    return run_credential_helper(helper, server_url, timeout, warn);
  }
  if (auto found = from_auths(config.value("auths", json()), domain, config_path, warn)) {
    return found;
  }
  if (std::string store = string_field(config, "credsStore"); !store.empty()) {
    return run_credential_helper(store, server_url, timeout, warn);
  }
  return std::nullopt;
}

std::optional<Credentials> docker_config_credentials(std::string_view domain, const Warn& warn) {
  std::string path = config_path();
  if (path.empty()) return std::nullopt;
  return docker_config_credentials_from(path, domain, warn, kHelperTimeout);
}

}  // namespace hocker::auth
