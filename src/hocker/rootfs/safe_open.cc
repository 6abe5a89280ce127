#include "hocker/rootfs/safe_open.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

#include "hocker/rootfs/entry_path.h"

namespace hocker::rootfs {
namespace {

UniqueFd open_with_openat2(int root, std::string_view path, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_NOFOLLOW | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string name = path.empty() ? "." : std::string(path);
  for (;;) {
    long fd = ::syscall(SYS_openat2, root, name.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EINTR && errno != EAGAIN) return UniqueFd();
  }
}

// The symlink `fd` (an O_PATH descriptor of it) points to; empty with errno set on failure.
std::string read_link(int fd) {
  std::string target(PATH_MAX, '\0');
  ssize_t length = ::readlinkat(fd, "", target.data(), target.size());
  if (length < 0) return {};
  target.resize(static_cast<std::size_t>(length));
  return target;
}

// RESOLVE_IN_ROOT in user space: descriptors of the directories walked, ".." popping one (never
// the root), a symlink's target pushed in its place (an absolute one from the root).
UniqueFd open_by_walk(int root, std::string_view path, int flags) {
  std::vector<UniqueFd> walked;
  walked.emplace_back(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (!walked.back().valid()) return UniqueFd();
  std::vector<std::string> pending;
  push_components(path, pending);
  // The final component is never followed; a path ending in "." or ".." has none: every
  // component is walked, then the directory reached is opened.
  std::string last;
  if (!pending.empty() && !pending.front().empty() && pending.front() != "." &&
      pending.front() != "..") {
    last = pending.front();
    pending.erase(pending.begin());
  }
  int links = 0;
  while (!pending.empty()) {
    std::string component = std::move(pending.back());
    pending.pop_back();
    if (component.empty() || component == ".") continue;
    if (component == "..") {
      if (walked.size() > 1) walked.pop_back();
      continue;
    }
    UniqueFd next(
        ::openat(walked.back().get(), component.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return UniqueFd();
    struct stat status {};
    if (::fstat(next.get(), &status) != 0) return UniqueFd();
    if (S_ISDIR(status.st_mode)) {
      walked.push_back(std::move(next));
      continue;
    }
    if (!S_ISLNK(status.st_mode)) {
      errno = ENOTDIR;
      return UniqueFd();
    }
    if (++links > kMaxSymlinksFollowed) {
      errno = ELOOP;
      return UniqueFd();
    }
    std::string target = read_link(next.get());
    if (target.empty()) return UniqueFd();
    if (target.front() == '/') walked.resize(1);
    push_components(target, pending);
  }
  return UniqueFd(::openat(walked.back().get(), last.empty() ? "." : last.c_str(),
                           flags | O_NOFOLLOW | O_CLOEXEC));
}

}  // namespace

UniqueFd open_in_root(int root, std::string_view path, int flags, Resolver resolver) {
  if (resolver == Resolver::kOpenat2) {
    UniqueFd fd = open_with_openat2(root, path, flags);
    if (fd.valid() || errno != ENOSYS) return fd;
  }
  return open_by_walk(root, path, flags);
}

}  // namespace hocker::rootfs
