// Which platforms of an image a lockfile pins: the host's (as every other command picks), a
// list, or every platform of an index; and the platform a lockfile entry already pins.
#pragma once

#include <vector>

#include "hocker/image/descriptor.h"
#include "hocker/image/manifest.h"
#include "hocker/image/platform.h"
#include "hocker/lock/lockfile.h"

namespace hocker::lock {

/// What the user asked to pin.
struct PlatformSelection {
  enum class Mode {
    kHost,    ///< No --platform: the entry `hocker image` would pull on this host.
    kListed,  ///< --platform, repeated: each of `platforms`.
    kAll,     ///< --all-platforms: every entry of an index.
  };
  Mode mode = Mode::kHost;
  std::vector<image::Platform> platforms;  ///< For kListed; at least one.
};

/// The entries of `index` to pin, in index order, each at most once: for kHost the one
/// Index::select() picks for image::Platform::host(); for kListed the one it picks for each
/// platform (two platforms that pick the same entry, such as linux/arm64 and linux/arm64/v8,
/// pin it once); for kAll one per platform of Index::platforms(), which leaves out entries
/// without a platform and attestation manifests (os or architecture "unknown"). Throws
/// Error(kNotFound) as Index::select() does; Error(kNotFound) for kAll when no entry names a
/// platform.
std::vector<image::Descriptor> select_entries(const image::Index& index,
                                              const PlatformSelection& selection);

/// The selection that pins again what `image` pins: kListed with its platforms.
PlatformSelection selection_of(const LockedImage& image);

}  // namespace hocker::lock
