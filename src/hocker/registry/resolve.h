// From a reference to the image manifest for one platform (walking through a manifest list
// or OCI index when the reference names one) and to its verified configuration.
#pragma once

#include <optional>

#include "hocker/image/manifest.h"
#include "hocker/image/platform.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/client.h"

namespace hocker::registry {

/// An image manifest chosen for a platform, with the index it came from, if any.
struct ResolvedImage {
  std::optional<FetchedManifest> index;  ///< The list/index the reference named, if it did.
  FetchedManifest manifest;              ///< The image manifest's exact bytes.
  image::Manifest parsed;
};

/// Fetches what `reference` names; when it is an index, selects `platform` (Error kNotFound
/// listing the platforms available) and fetches that manifest by digest. The digest the index
/// gives is verified. Schema 1 and unknown documents → Error(kFormat).
ResolvedImage resolve_image(Client& client, const ref::Reference& reference,
                            const image::Platform& platform);

/// Fetches the configuration blob of `manifest`, verified against its descriptor and parsed.
image::ImageConfig fetch_config(Client& client, const std::string& repository,
                                const image::Manifest& manifest);

/// For a reference naming a single-platform manifest (no index to choose from): throws
/// Error(kNotFound) when the config says the image is for another platform than `requested`,
/// as docker pull --platform does. A config without os/architecture passes.
void check_requested_platform(const ResolvedImage& resolved, const image::ImageConfig& config,
                              const image::Platform& requested);

}  // namespace hocker::registry
