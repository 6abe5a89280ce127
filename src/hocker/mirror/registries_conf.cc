#include "hocker/mirror/registries_conf.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hocker/base/error.h"

namespace hocker::mirror {
namespace {

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

Error bad(const std::string& path, int line, const std::string& problem) {
  return Error(ErrorKind::kUsage, path + ":" + std::to_string(line) + ": " + problem);
}

// A known key: absent is fine, another type than T is an error naming its line.
template <typename T>
std::optional<T> read_key(const toml::table& table, const char* key, const std::string& path) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::nullopt;
  std::optional<T> value = node->value_exact<T>();
  if (!value) {
    const char* type = std::is_same_v<T, bool> ? "a boolean" : "a string";
    throw bad(path, line_of(*node), std::string("'") + key + "' must be " + type);
  }
  return value;
}

PullFromMirror pull_from_mirror(const toml::table& table, const std::string& path,
                                PullFromMirror fallback) {
  std::optional<std::string> value = read_key<std::string>(table, "pull-from-mirror", path);
  if (!value) return fallback;
  if (*value == "all") return PullFromMirror::kAll;
  if (*value == "digest-only") return PullFromMirror::kDigestOnly;
  if (*value == "tag-only") return PullFromMirror::kTagOnly;
  throw bad(
      path, line_of(*table.get("pull-from-mirror")),
      "pull-from-mirror must be \"all\", \"digest-only\" or \"tag-only\", not \"" + *value + "\"");
}

MirrorEntry parse_mirror(const toml::node& node, const std::string& path) {
  const toml::table* table = node.as_table();
  if (table == nullptr) throw bad(path, line_of(node), "[[registry.mirror]] must be a table");
  MirrorEntry mirror;
  std::optional<std::string> location = read_key<std::string>(*table, "location", path);
  if (!location || location->empty()) {
    throw bad(path, line_of(node), "[[registry.mirror]] needs a location");
  }
  mirror.location = *location;
  mirror.insecure = read_key<bool>(*table, "insecure", path).value_or(false);
  // hocker's default is digest-only (containers/image's is all): a tag is resolved upstream.
  mirror.pull_from_mirror = pull_from_mirror(*table, path, PullFromMirror::kDigestOnly);
  return mirror;
}

RegistryEntry parse_registry(const toml::node& node, const std::string& path) {
  const toml::table* table = node.as_table();
  if (table == nullptr) throw bad(path, line_of(node), "[[registry]] must be a table");
  RegistryEntry entry;
  entry.line = line_of(node);
  entry.prefix = read_key<std::string>(*table, "prefix", path).value_or("");
  entry.location = read_key<std::string>(*table, "location", path).value_or("");
  if (entry.prefix.empty()) entry.prefix = entry.location;
  if (entry.prefix.empty()) throw bad(path, entry.line, "[[registry]] needs a prefix or location");
  if (entry.prefix.rfind("*.", 0) == 0 && !entry.location.empty()) {
    throw bad(path, entry.line, "a wildcard prefix (" + entry.prefix + ") takes no location");
  }
  if (entry.location.empty()) entry.location = entry.prefix;
  entry.insecure = read_key<bool>(*table, "insecure", path).value_or(false);
  entry.blocked = read_key<bool>(*table, "blocked", path).value_or(false);
  if (const toml::node* mirrors = table->get("mirror")) {
    const toml::array* array = mirrors->as_array();
    if (array == nullptr) throw bad(path, line_of(*mirrors), "'mirror' must be an array of tables");
    for (const toml::node& mirror : *array) entry.mirrors.push_back(parse_mirror(mirror, path));
  }
  return entry;
}

// Whether `prefix` (no wildcard) covers `name` whole or up to a path separator.
bool covers(std::string_view prefix, std::string_view name) {
  if (name.substr(0, prefix.size()) != prefix) return false;
  return name.size() == prefix.size() || name[prefix.size()] == '/';
}

// How much of `name` the prefix matches, or 0.
std::size_t match_length(const std::string& prefix, std::string_view name) {
  if (prefix.rfind("*.", 0) == 0) {
    std::string_view host = name.substr(0, name.find('/'));
    std::string_view suffix = std::string_view(prefix).substr(1);  // ".example.com"
    bool matches =
        host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix;
    return matches ? host.size() : 0;
  }
  return covers(prefix, name) ? prefix.size() : 0;
}

bool is_file(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode);
}

std::optional<std::string> real_environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

RegistriesConf parse_registries_conf(std::string_view text, const std::string& path) {
  toml::table document;
  try {
    document = toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    throw bad(path, static_cast<int>(error.source().begin.line),
              "malformed TOML: " + std::string(error.description()));
  }
  RegistriesConf conf;
  conf.path = path;
  const toml::node* registries = document.get("registry");
  if (registries == nullptr) return conf;
  const toml::array* array = registries->as_array();
  if (array == nullptr) {
    throw bad(path, line_of(*registries), "'registry' must be an array of tables ([[registry]])");
  }
  for (const toml::node& node : *array) conf.registries.push_back(parse_registry(node, path));
  return conf;
}

RegistriesConf load_registries_conf(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (file) text << file.rdbuf();
  if (!file || file.bad()) {
    throw Error(ErrorKind::kUsage, path + ": cannot read the registries configuration");
  }
  return parse_registries_conf(text.str(), path);
}

std::optional<std::string> find_registries_conf(const Environment& environment) {
  const Environment& get = environment ? environment : Environment(real_environment);
  if (std::optional<std::string> chosen = get("HOCKER_REGISTRIES_CONF")) {
    if (chosen->empty()) return std::nullopt;
    if (!is_file(*chosen)) {
      throw Error(ErrorKind::kUsage,
                  "HOCKER_REGISTRIES_CONF: " + *chosen + ": no such registries configuration");
    }
    return chosen;
  }
  std::vector<std::string> candidates;
  std::optional<std::string> xdg = get("XDG_CONFIG_HOME");
  std::optional<std::string> home = get("HOME");
  if (xdg && !xdg->empty()) {
    candidates.push_back(*xdg + "/containers/registries.conf");
  } else if (home && !home->empty()) {
    candidates.push_back(*home + "/.config/containers/registries.conf");
  }
  candidates.push_back("/etc/containers/registries.conf");
  for (const std::string& candidate : candidates) {
    if (is_file(candidate)) return candidate;
  }
  return std::nullopt;
}

const RegistryEntry* match_registry(const RegistriesConf& conf, std::string_view name,
                                    std::size_t* matched_length) {
  const RegistryEntry* best = nullptr;
  std::size_t best_length = 0;
  for (const RegistryEntry& entry : conf.registries) {
    std::size_t length = match_length(entry.prefix, name);
    if (length > best_length) {
      best = &entry;
      best_length = length;
    }
  }
  if (matched_length != nullptr) *matched_length = best_length;
  return best;
}

}  // namespace hocker::mirror
