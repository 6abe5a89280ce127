#include "hocker/rootfs/safe_open.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "hocker/rootfs/entry_path.h"

namespace hocker::rootfs {
namespace {

UniqueFd open_with_openat2(int root, std::string_view path, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_NOFOLLOW | O_CLOEXEC);
  // RESOLVE_BENEATH refuses (EXDEV) what RESOLVE_IN_ROOT would clamp to the root, and
  // RESOLVE_NO_SYMLINKS refuses (ELOOP) even a link that stays inside: the flattened tree has
  // real directories as parents, so any link met was planted, and refusing is the safe answer.
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  std::string name = path.empty() ? "." : std::string(path);
  for (;;) {
    long fd = ::syscall(SYS_openat2, root, name.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EINTR && errno != EAGAIN) return UniqueFd();
  }
}

UniqueFd open_by_walk(int root, std::string_view path, int flags) {
  std::vector<std::string_view> components = path_components(path);
  UniqueFd current(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (components.empty()) {
    return UniqueFd(::openat(root, ".", flags | O_NOFOLLOW | O_CLOEXEC));
  }
  for (std::size_t i = 0; i < components.size(); ++i) {
    std::string component(components[i]);
    if (component == "." || component == "..") {
      errno = EXDEV;
      return UniqueFd();
    }
    bool last = i + 1 == components.size();
    int step_flags = last ? flags : O_PATH | O_DIRECTORY;
    // O_NOFOLLOW: a symlink component fails (ELOOP, or ENOTDIR with O_PATH|O_DIRECTORY).
    UniqueFd next(::openat(current.get(), component.c_str(), step_flags | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      if (errno == ENOTDIR) errno = ELOOP;
      return UniqueFd();
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace

UniqueFd open_beneath(int root, std::string_view path, int flags, Resolver resolver) {
  if (!path.empty() && path.front() == '/') {
    errno = EXDEV;
    return UniqueFd();
  }
  if (resolver == Resolver::kOpenat2) {
    UniqueFd fd = open_with_openat2(root, path, flags);
    if (fd.valid() || errno != ENOSYS) return fd;
  }
  return open_by_walk(root, path, flags);
}

}  // namespace hocker::rootfs
