// Resolving references into lockfile entries, and keeping a lockfile current: the top manifest
// or index, each selected platform's manifest and config. No layer is ever fetched: the layer
// descriptors come from the manifests, their diff_ids from the configs.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hocker/cache/blob_cache.h"
#include "hocker/lock/lockfile.h"
#include "hocker/lock/select.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/client.h"

namespace hocker::lock {

/// Pins `reference` (given by the user as `text`, kept as written): fetches what it names (a
/// digest-pinned reference is verified against its pin and keeps tag null), then for each
/// platform of `selection` (select_entries(); a single-platform image gives one entry, its
/// platform from its config, which must match each listed platform as with `hocker image
/// --platform`) the manifest by digest and the config through `cache` (may be null; both
/// digest-verified). Throws Error(kFormat) when a config's diff_ids do not pair with its
/// manifest's layers or a single image's config names no os/architecture, Error(kIntegrity)
/// when a manifest's size differs from its index entry's, and what the client throws.
LockedImage lock_image(registry::Client& client, std::string_view text,
                       const ref::Reference& reference, const PlatformSelection& selection,
                       cache::BlobCache* cache);

/// The digest a locked image's tag names now (one HEAD, or a GET when the registry sends no
/// digest); called for tagged images only.
using CurrentDigest = std::function<std::string(const LockedImage&)>;
/// Pins a locked image again for its own platforms (lock_image with selection_of()).
using Relock = std::function<LockedImage(const LockedImage&)>;

/// A pin whose tag now names another digest.
struct PinChange {
  std::string reference;
  std::string old_digest;
  std::string new_digest;

  bool operator==(const PinChange&) const = default;
};

/// The tagged images of `lockfile` whose tag names another digest than the pinned one, in
/// file order. Digest-pinned images are never asked about.
std::vector<PinChange> stale_pins(const Lockfile& lockfile, const CurrentDigest& current);

/// `lockfile` with each stale tagged image (stale_pins()) replaced by relock() of it; every
/// other image kept as it is, in place. `changes` receives what changed, in file order.
Lockfile update_lockfile(const Lockfile& lockfile, const CurrentDigest& current,
                         const Relock& relock, std::vector<PinChange>& changes);

}  // namespace hocker::lock
