// Opening a path inside a directory as if it were the root: symlinks met on the way are
// followed, but "/" (in the path or a link's target) means that directory and ".." stops at it,
// so nothing outside it is ever reached; magic links (/proc/self/fd/N) are refused. openat2(2)
// with RESOLVE_IN_ROOT where the kernel has it (Linux 5.6), else the same walk in user space.
#pragma once

#include <string_view>

#include "hocker/base/unique_fd.h"

namespace hocker::rootfs {

/// How paths are resolved: the kernel's openat2, or the walk in user space (also used when
/// openat2 is missing, ENOSYS).
enum class Resolver { kOpenat2, kWalk };

/// As Linux's MAXSYMLINKS: the symlinks one resolution may follow before failing with ELOOP.
constexpr int kMaxSymlinksFollowed = 40;

/// Opens `path` ("" is `root` itself) inside the directory `root` with `flags` (O_PATH,
/// O_DIRECTORY, O_RDONLY...; O_NOFOLLOW and O_CLOEXEC are added): every component but the last
/// resolved as RESOLVE_IN_ROOT does, the last never followed (a symlink there fails with
/// ELOOP, or opens the link itself with O_PATH). Returns an invalid descriptor with errno set on
/// failure: ELOOP for too many symlinks, ENOENT, ENOTDIR...
UniqueFd open_in_root(int root, std::string_view path, int flags,
                      Resolver resolver = Resolver::kOpenat2);

}  // namespace hocker::rootfs
