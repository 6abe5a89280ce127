// Copying an image from one repository to another, registry to registry (docs/spec.md §9):
// blobs first, several at once, then child manifests by digest, then the manifest or index the
// destination names, byte for byte, so every digest is kept and an interrupted copy never
// moves a tag to missing blobs. Silent: what to print is the caller's business.
#pragma once

#include <cstddef>
#include <optional>

#include "hocker/base/progress.h"
#include "hocker/cache/blob_cache.h"
#include "hocker/digest/digest.h"
#include "hocker/image/platform.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/client.h"

namespace hocker::copy {

/// What to copy when the source names a manifest list or OCI index.
enum class Platforms {
  kOne,  ///< The one image manifest for CopyOptions::platform (the host's when unset).
  kAll,  ///< The whole index: every child manifest by digest, then the index itself.
};

struct CopyOptions {
  Platforms platforms = Platforms::kOne;
  std::optional<image::Platform> platform;  ///< With kOne; nullopt: the host's.
  int jobs = 4;                             ///< Blobs copied at once.
  cache::BlobCache* cache = nullptr;        ///< Source blobs through the cache; null: none.
  ProgressObserver* progress = nullptr;     ///< Hears each blob as a "layer"; may be null.
};

/// What a copy did.
struct CopyResult {
  digest::Digest digest;  ///< Of the manifest or index now under the destination reference.
  std::size_t blobs_present = 0, blobs_mounted = 0, blobs_uploaded = 0;
  std::size_t manifests = 0;  ///< Manifests and indexes PUT.
};

/// Copies what `source` names (read with `source_client`) to `target` (written with
/// `target_client`; the same client when both are on one registry). The document goes under
/// target's tag, or its digest when it names only one (which must then be the document's:
/// Error kUsage otherwise). Throws what the clients and the uploads throw; on any failure no
/// manifest has been written under the destination tag.
CopyResult copy_image(registry::Client& source_client, const ref::Reference& source,
                      registry::Client& target_client, const ref::Reference& target,
                      const CopyOptions& options);

}  // namespace hocker::copy
