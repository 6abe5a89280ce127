// The two documents of a docker-archive push: the archive's own manifest.json (which member is
// the config, which are the layers, which names the image had) and the registry manifest built
// from what was uploaded (docker schema 2 or OCI, never re-serialised once built).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hocker/digest/digest.h"
#include "hocker/push/layer_encoder.h"

namespace hocker::push {

/// One entry of a docker archive's manifest.json.
struct ArchiveImage {
  std::string config;               ///< Member name of the config.
  std::vector<std::string> layers;  ///< Member names of the layers, base first.
  std::vector<std::string> repo_tags;
};

/// Parses manifest.json (at most image::kMaxManifestSize bytes, 64 levels): an array of
/// objects with Config (a string), Layers (strings) and optional RepoTags. Member names are
/// normalised like TarReader's ("./" prefixes dropped) and checked with member_name_problem().
/// Throws Error(kFormat) with a one-line reason.
std::vector<ArchiveImage> parse_archive_manifest(std::string_view raw);

/// Which manifest format to write.
enum class ManifestFormat {
  kAuto,    ///< docker schema 2, unless a layer is zstd (docker has no zstd type): then OCI.
  kDocker,  ///< docker schema 2; zstd layers are refused (Error kUsage).
  kOci,
};

/// A blob as the manifest will describe it.
struct PushedBlob {
  digest::Digest digest;
  std::int64_t size = 0;
  Compression compression = Compression::kNone;  ///< For layers.
};

/// A registry manifest, exact bytes and media type.
struct BuiltManifest {
  std::string raw;
  std::string media_type;
};

/// Builds the image manifest (schemaVersion, mediaType, config, layers, in that order; compact
/// JSON). Throws Error(kUsage) for zstd layers in docker format.
BuiltManifest build_manifest(ManifestFormat format, const PushedBlob& config,
                             const std::vector<PushedBlob>& layers);

}  // namespace hocker::push
