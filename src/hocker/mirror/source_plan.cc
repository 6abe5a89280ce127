#include "hocker/mirror/source_plan.h"

#include "hocker/base/error.h"

namespace hocker::mirror {
namespace {

struct Location {
  ref::Registry registry;
  std::string repository;
};

// `location` ("host[:port][/namespace...]") with `rest` ("/library/alpine", or empty) appended:
// the registry and repository it names. Throws Error(kUsage) naming `what`.
Location rewrite(const std::string& location, std::string_view rest, const std::string& what) {
  std::string name = location + std::string(rest);
  std::size_t slash = name.find('/');
  if (slash == std::string::npos || slash + 1 == name.size()) {
    throw Error(ErrorKind::kUsage, what + ": " + location + " leaves no repository name");
  }
  Location result;
  try {
    result.registry = ref::Registry::parse_uri(name.substr(0, slash));
    // Validated as a repository path ("localhost" is a domain, so nothing is prepended).
    result.repository = ref::Reference::parse("localhost/" + name.substr(slash + 1)).repository;
  } catch (const Error& error) {
    throw Error(ErrorKind::kUsage, what + ": " + error.what());
  }
  return result;
}

MirrorSource flag_mirror(const std::string& url, const ref::Reference& reference) {
  MirrorSource mirror;
  try {
    mirror.registry = ref::Registry::parse_uri(url);
  } catch (const Error& error) {
    throw Error(ErrorKind::kUsage, std::string("--mirror: ") + error.what());
  }
  mirror.repository = reference.repository;
  return mirror;
}

}  // namespace

SourcePlan plan_sources(const ref::Reference& reference, const RegistriesConf* conf,
                        const std::vector<std::string>& flag_mirrors) {
  SourcePlan plan;
  plan.primary = reference;
  plan.ns = reference.registry.domain;
  for (const std::string& url : flag_mirrors) plan.mirrors.push_back(flag_mirror(url, reference));
  if (conf == nullptr) return plan;
  std::string name = reference.registry.domain + "/" + reference.repository;
  std::size_t matched = 0;
  const RegistryEntry* entry = match_registry(*conf, name, &matched);
  if (entry == nullptr) return plan;
  std::string where = conf->path + ":" + std::to_string(entry->line);
  if (entry->blocked) {
    throw Error(ErrorKind::kUsage, "pulling " + name + " is blocked by " + where +
                                       " ([[registry]] prefix \"" + entry->prefix + "\")");
  }
  std::string_view rest = std::string_view(name).substr(matched);
  plan.primary_insecure = entry->insecure;
  if (entry->location != entry->prefix) {
    Location primary = rewrite(entry->location, rest, where);
    plan.primary.registry = primary.registry;
    plan.primary.repository = primary.repository;
  }
  for (const MirrorEntry& mirror_entry : entry->mirrors) {
    Location location = rewrite(mirror_entry.location, rest, where + " (mirror)");
    plan.mirrors.push_back({location.registry, location.repository, mirror_entry.insecure,
                            mirror_entry.pull_from_mirror});
  }
  return plan;
}

bool mirror_serves(PullFromMirror mode, Request request, bool pulled_by_tag) {
  switch (mode) {
    case PullFromMirror::kAll:
      return true;
    case PullFromMirror::kDigestOnly:
      return request == Request::kDigest;
    case PullFromMirror::kTagOnly:
      return pulled_by_tag;
  }
  return false;
}

}  // namespace hocker::mirror
