// Where `hocker push --all` puts each image of a bundle: the names a docker archive's
// manifest.json (RepoTags) or an OCI layout's index.json (annotations) records, optionally
// re-homed onto another registry and repository prefix. Everything here is decided before any
// upload, so a name that cannot be a push target fails the whole push up front.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hocker/push/archive_manifest.h"
#include "hocker/ref/reference.h"

namespace hocker::push {

/// A registry and a repository prefix that replace each recorded name's registry: the image
/// keeps its repository path and tag below the prefix.
struct Destination {
  ref::Registry registry;
  std::string prefix;  ///< "" or path components without leading or trailing '/'.
};

/// Parses "REGISTRY[/PREFIX]" ("localhost:5000", "registry.example.com/mirror/team"). The first
/// component must be a registry host (it has a '.' or a ':' or is "localhost"); the prefix must
/// be valid repository path components; no tag or digest. Throws Error(kUsage).
Destination parse_destination(std::string_view text);

/// `name` moved onto `destination`: "docker.io/library/debian:12" with "localhost:5000/mirror"
/// → "localhost:5000/mirror/library/debian:12". Throws Error(kUsage) when the result is not a
/// valid reference (too long).
ref::Reference rehome(const ref::Reference& name, const Destination& destination);

/// One push of a bundle: a name with a tag, and the entries (manifest.json objects or
/// index.json manifests, by position) that go under it: one, or several platforms of one image.
struct BundleImage {
  ref::Reference name;
  std::vector<std::size_t> entries;
};

/// The pushes a docker archive's manifest.json asks for: every RepoTags name of every entry
/// (an entry with two names is pushed under both), in order of first appearance; entries that
/// carry the same name (after re-homing) are grouped, for an index. Throws Error(kFormat) for
/// an entry without RepoTags and for a name that has no tag or does not parse, naming it.
std::vector<BundleImage> docker_bundle_images(const std::vector<ArchiveImage>& entries,
                                              const std::optional<Destination>& destination);

/// The pushes an OCI index.json asks for: each entry's io.containerd.image.name annotation, or
/// its org.opencontainers.image.ref.name when that is a full name (has a '/'). Throws
/// Error(kFormat) for malformed JSON, an entry without such a name, a name without a tag, and
/// two entries with one name (an OCI bundle stores several platforms as one nested index).
std::vector<BundleImage> oci_bundle_images(const std::string& index_json,
                                           const std::optional<Destination>& destination);

/// index.json reduced to its entry `entry`, compact JSON, for pushing that entry alone.
std::string single_entry_index(const std::string& index_json, std::size_t entry);

/// "registry/repository:tag", as the --all output line names a pushed image before its digest.
std::string pushed_name(const ref::Reference& name);

}  // namespace hocker::push
