// Fuzzes the classic credentials file. The auth module reads it only by path, so each input
// goes to one memfd, named by /proc/self/fd/N. hocker::Error is the expected way to refuse it.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "hocker/auth/credentials.h"
#include "hocker/base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("credentials", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) {
    std::abort();
  }
  try {
    hocker::auth::Credentials credentials = hocker::auth::read_credentials_file(path);
    if (credentials.kind == hocker::auth::Credentials::Kind::kAnonymous) __builtin_trap();
  } catch (const hocker::Error&) {
  }
  return 0;
}
