// What a strict OCI consumer reads: image manifests re-encoded with OCI media types when the
// registry served docker ones (config and layer blobs unchanged, so their digests stay), and the
// index.json descriptors that name each image with its platform and names.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hocker/image/manifest.h"
#include "hocker/image/platform.h"

namespace hocker::archive {

/// The index.json annotation that records, on the entry of a re-encoded manifest, the digest
/// of the manifest the registry served.
inline constexpr std::string_view kOriginalManifestDigestAnnotation =
    "io.github.hocker.original-manifest-digest";

/// Whether `manifest` is a docker schema 2 manifest (its mediaType says so), which a strict OCI
/// consumer does not read.
bool has_docker_media_type(const image::Manifest& manifest);

/// The OCI media type for a docker one: manifest, config, layers (tar, tar+gzip, tar+zstd), and
/// foreign layers as the OCI nondistributable layer types. Any other type is returned as is.
std::string oci_media_type(std::string_view media_type);

/// `manifest` (a docker schema 2 manifest) re-encoded as an OCI image manifest: compact JSON
/// without a trailing newline, keys in the order schemaVersion, mediaType, config, layers, each
/// descriptor as mediaType, digest, size, then urls and annotations when it has any; media types
/// mapped by oci_media_type(). Deterministic: the same manifest always gives the same bytes.
/// Throws Error(kFormat) only if the result fails to parse, which would be a bug.
image::Manifest reencode_as_oci(const image::Manifest& manifest);

/// One index.json entry: mediaType, digest, size of the document, then its platform (when set)
/// and annotations (when any, keys sorted).
struct IndexEntry {
  std::string media_type;
  digest::Digest digest;
  std::int64_t size = 0;
  std::optional<image::Platform> platform;
  std::map<std::string, std::string> annotations;
};

/// The index.json of an OCI layout listing `entries`: one line of compact JSON and a newline,
/// {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[…]}.
std::string index_json(const std::vector<IndexEntry>& entries);

}  // namespace hocker::archive
