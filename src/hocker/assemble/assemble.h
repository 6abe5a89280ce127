// hocker assemble as a library: an image archive from a lockfile entry and blob files on disk,
// without any network. It builds the same archive::ImageSource a registry pull builds, so the
// archive writer (and whatever it writes) is shared with hocker image, byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hocker/archive/image_source.h"
#include "hocker/assemble/blob_files.h"
#include "hocker/image/platform.h"
#include "hocker/lock/lockfile.h"

namespace hocker::assemble {

/// The image `which` names: empty → the first; a decimal index into the lockfile's images;
/// else the entry whose reference is `which` exactly. Throws Error(kNotFound) listing the
/// references when none is, and for a lockfile without images.
const lock::LockedImage& select_image(const lock::Lockfile& lockfile, std::string_view which);

/// The platform entry for `wanted` (Platform::matches, so arm64 finds arm64/v8). Without
/// `wanted`: the only entry, else the one for the host (Platform::host()). Throws
/// Error(kNotFound, "… has no platform linux/s390x; locked: linux/amd64, linux/arm/v7").
const lock::LockedPlatform& select_platform(const lock::LockedImage& image,
                                            const std::optional<image::Platform>& wanted);

/// Whether the layer files are hashed before anything is written (a stream output cannot take
/// bytes back), or only while the archive is written (the writer verifies every layer as it
/// streams; an atomic output file is then discarded on a mismatch).
enum class VerifyLayers { kUpFront, kWhileWriting };

/// What to hand to archive::write_image_archive for `platform` of `image`: the manifest and
/// config read from their files, verified against the lock (size, then digest: Error(kIntegrity,
/// "blob sha256:…: file F …")) and parsed; the names hocker image would record for the lock's
/// reference (and `tag`, as --tag); a fetcher streaming layer files. Every blob file is located
/// and its size checked first, so a missing one fails before anything is read:
/// Error(kNotFound, "blob sha256:…: …"). A manifest whose config or layers, or a config whose
/// diff_ids, differ from the lock's is Error(kFormat). Reads files only.
archive::ImageSource make_source(const lock::LockedImage& image,
                                 const lock::LockedPlatform& platform, const BlobFiles& files,
                                 const std::optional<std::string>& tag, VerifyLayers verify);

}  // namespace hocker::assemble
