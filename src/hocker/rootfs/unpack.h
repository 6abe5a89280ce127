// Unpacking an image's flattened root filesystem into a directory, every path resolved with it
// as the root (safe_open.h): nothing a layer says can create, replace or link a file outside it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "hocker/rootfs/layer_file.h"
#include "hocker/rootfs/safe_open.h"

namespace hocker::rootfs {

/// What the process may do; by default what an unprivileged process may not is skipped.
struct UnpackOptions {
  bool apply_ownership = false;            ///< chown every entry to its uid/gid (needs root)
  bool make_devices = false;               ///< create character and block devices (needs CAP_MKNOD)
  Resolver resolver = Resolver::kOpenat2;  ///< kWalk forces the resolver in user space
};

/// The options for this process: ownership and devices when running as root (euid 0).
UnpackOptions unpack_options_for_this_process();

/// What was not applied, for one summary warning.
struct UnpackSummary {
  std::int64_t ownership_skipped = 0;  ///< entries owned by another uid/gid than ours
  std::int64_t devices_skipped = 0;    ///< device nodes not created
  std::int64_t xattrs_skipped = 0;     ///< extended attributes the filesystem refused
};

/// Throws Error(kLocalIo) unless `directory` is missing (its parent existing) or an empty
/// directory: unpacking never merges into existing files.
void check_unpack_directory(const std::string& directory);

/// Flattens `layers` (flatten.h) into `directory`, created (0755) when missing, which must be
/// empty. Paths are resolved inside it with open_in_root(); every file is created anew
/// (O_EXCL), hard links name a path already unpacked. Modes (setuid, setgid and sticky bits
/// included), times and xattrs are applied, directories' last (deepest first), ownership and
/// devices as `options` allow. Hostile or malformed layers are refused by the flattener's
/// first pass, before `directory` is created or anything written (Error(kFormat)); a symlink or
/// escape met while writing (the directory changed meanwhile) is Error(kFormat) too, and an I/O
/// failure Error(kLocalIo): both leave what was unpacked so far inside `directory`.
UnpackSummary unpack_rootfs(std::span<const LayerFile> layers, const std::string& directory,
                            const UnpackOptions& options);

}  // namespace hocker::rootfs
