// containers-registries.conf(5), version 2, as far as pulling goes: [[registry]] tables with
// their prefix, location, insecure and blocked keys and their [[registry.mirror]] tables. Every
// other key is ignored. Which sources a pull then uses is source_plan.h's business.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hocker::mirror {

/// Which pulls a mirror serves (the pull-from-mirror key).
enum class PullFromMirror {
  kAll,         ///< tags and digests: a tag may be resolved at the mirror
  kDigestOnly,  ///< content by digest only: tags are resolved at the primary location
  kTagOnly,     ///< only pulls of a reference by tag (a reference by digest skips it)
};

/// One [[registry.mirror]] table.
struct MirrorEntry {
  std::string location;  ///< host[:port][/namespace...]: replaces the matched prefix
  bool insecure = false;
  PullFromMirror pull_from_mirror = PullFromMirror::kDigestOnly;
};

/// One [[registry]] table.
struct RegistryEntry {
  std::string prefix;    ///< host[:port][/namespace...], or "*.domain" (a wildcard host)
  std::string location;  ///< replaces the prefix; the prefix itself when not given
  bool insecure = false;
  bool blocked = false;
  std::vector<MirrorEntry> mirrors;
  int line = 0;  ///< where the table starts, for messages
};

/// A parsed registries.conf.
struct RegistriesConf {
  std::string path;  ///< the file it was read from
  std::vector<RegistryEntry> registries;
};

/// Parses registries.conf text read from `path` (used in messages only). Unknown keys and
/// tables are ignored. Throws Error(kUsage, "<path>:<line>: <problem>") for malformed TOML, a
/// known key of the wrong type, an unknown pull-from-mirror value, a [[registry]] without prefix
/// and location, or a wildcard prefix with a location.
RegistriesConf parse_registries_conf(std::string_view text, const std::string& path);

/// Reads and parses the file at `path`. Throws Error(kUsage) when it cannot be read, and what
/// parse_registries_conf throws.
RegistriesConf load_registries_conf(const std::string& path);

/// Reads an environment variable: the real one by default; tests pass their own.
using Environment = std::function<std::optional<std::string>(const char* name)>;

/// The registries.conf to use: $HOCKER_REGISTRIES_CONF when set (it must exist: Error kUsage
/// otherwise; an empty value turns the lookup off), else the first existing of
/// $XDG_CONFIG_HOME/containers/registries.conf (~/.config when XDG_CONFIG_HOME is unset) and
/// /etc/containers/registries.conf; nullopt when none exists.
std::optional<std::string> find_registries_conf(const Environment& environment = {});

/// The entry whose prefix best matches the repository `name` ("docker.io/library/alpine"): the
/// longest matching prefix, the first one on a tie. A prefix matches the whole name or the
/// name up to a '/'; "*.example.com" matches any host ending in ".example.com". Sets
/// `*matched_length` to how many characters of `name` the prefix covered. Null when none
/// matches.
const RegistryEntry* match_registry(const RegistriesConf& conf, std::string_view name,
                                    std::size_t* matched_length);

}  // namespace hocker::mirror
