// Where one pull may take its bytes from: the mirrors, in order, then the primary location,
// decided from the reference, the registries configuration and --mirror. The requests
// themselves are the pull module's (pull/sources.h).
#pragma once

#include <string>
#include <vector>

#include "hocker/mirror/registries_conf.h"
#include "hocker/ref/reference.h"

namespace hocker::mirror {

/// What a request asks for, as the pull-from-mirror rules see it.
enum class Request {
  kTag,     ///< a manifest by tag
  kDigest,  ///< a manifest by digest, or a blob
};

/// One mirror of the pull's repository.
struct MirrorSource {
  ref::Registry registry;  ///< the mirror's host (with the scheme --mirror gave, if any)
  std::string repository;  ///< the repository at the mirror (prefix rewritten)
  bool insecure = false;   ///< TLS certificate not checked
  PullFromMirror pull_from_mirror = PullFromMirror::kDigestOnly;
};

/// The sources of one pull.
struct SourcePlan {
  /// The reference to pull from the primary location: the one asked for, with its registry
  /// and repository rewritten by the matching [[registry]]'s location.
  ref::Reference primary;
  bool primary_insecure = false;  ///< the matching [[registry]] says insecure = true
  std::vector<MirrorSource> mirrors;
  /// The upstream registry's domain, sent to every mirror as ?ns= ("docker.io" for Docker Hub,
  /// as containerd sends it).
  std::string ns;
};

/// The plan for `reference`: the mirrors given on the command line (`flag_mirrors`, URLs or
/// host[:port], each digest-only, for the reference's repository) first, then those of the
/// [[registry]] of `conf` (may be null) whose prefix matches best. Throws Error(kUsage) when
/// that [[registry]] is blocked, or for an invalid --mirror or location.
SourcePlan plan_sources(const ref::Reference& reference, const RegistriesConf* conf,
                        const std::vector<std::string>& flag_mirrors);

/// Whether a mirror with `mode` serves `request` of a pull started from a reference by tag
/// (`pulled_by_tag`) or by digest: all → always; digest-only → requests by digest only (a tag is
/// resolved at the primary, the manifest it names and the blobs then come from the mirror);
/// tag-only → every request of a pull by tag, none of a pull by digest.
bool mirror_serves(PullFromMirror mode, Request request, bool pulled_by_tag);

}  // namespace hocker::mirror
