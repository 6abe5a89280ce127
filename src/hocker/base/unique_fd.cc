#include "hocker/base/unique_fd.h"

#include <unistd.h>

#include <cerrno>

namespace hocker {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0 && fd_ != fd) {
    int saved = errno;  // Callers may still want the errno of what failed before.
    ::close(fd_);
    errno = saved;
  }
  fd_ = fd;
}

int UniqueFd::close() noexcept {
  int fd = release();
  if (fd < 0) return 0;
  return ::close(fd) == 0 ? 0 : errno;
}

}  // namespace hocker
