// From a reference to the image manifest for one platform, walking through a manifest list
// or OCI index when the reference names one. Its config and layers are the pull module's.
#pragma once

#include <functional>
#include <optional>
#include <string>

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

/// The manifest an identifier (tag or digest) names in the image's repository, from wherever
/// the caller fetches manifests (a mirror, the registry).
using ManifestFetcher = std::function<FetchedManifest(const std::string& identifier)>;

/// resolve_image with every manifest request made by `fetch`.
ResolvedImage resolve_image(const ManifestFetcher& fetch, const ref::Reference& reference,
                            const image::Platform& platform);

}  // namespace hocker::registry
