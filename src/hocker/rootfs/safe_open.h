// Opening a path beneath a directory without ever leaving it: no symlink followed (not even one
// that stays inside), no "..", no absolute path, no magic link. openat2(2) with RESOLVE_BENEATH
// where the kernel has it, else a walk of O_NOFOLLOW opens, one component at a time.
#pragma once

#include <string_view>

#include "hocker/base/unique_fd.h"

namespace hocker::rootfs {

/// How paths are resolved: the kernel's openat2, or the portable walk (also used when openat2
/// is missing, ENOSYS).
enum class Resolver { kOpenat2, kWalk };

/// Opens `path` (relative; "" is `root` itself) beneath the directory `root` with `flags`
/// (O_PATH, O_DIRECTORY, O_RDONLY...; O_NOFOLLOW and O_CLOEXEC are added), every component
/// being a real directory or, for the last, the file itself, never a symlink. Returns an invalid
/// descriptor with errno set on failure: ELOOP for a symlink met, EXDEV for a path that would
/// leave `root`, ENOENT, ENOTDIR...
UniqueFd open_beneath(int root, std::string_view path, int flags,
                      Resolver resolver = Resolver::kOpenat2);

}  // namespace hocker::rootfs
