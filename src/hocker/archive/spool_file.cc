#include "hocker/archive/spool_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"

namespace hocker::archive {
namespace {

[[noreturn]] void fail(const std::string& what, int error_number) {
  throw Error(ErrorKind::kLocalIo, what + ": " + std::strerror(error_number));
}

UniqueFd open_anonymous(const std::string& directory) {
  UniqueFd fd(::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (fd.valid()) return fd;
  // Some filesystems (and old kernels) lack O_TMPFILE: create, then unlink at once.
  std::string path = directory + "/.hocker-spool-XXXXXX";
  fd.reset(::mkostemp(path.data(), O_CLOEXEC));
  if (!fd.valid()) fail("cannot create a spool file in " + directory, errno);
  ::unlink(path.c_str());
  return fd;
}

// copy_file_range refuses some pairs of files (other filesystems, old kernels): the caller
// then falls back to copying through memory.
bool is_unsupported(int error_number) {
  return error_number == EXDEV || error_number == EINVAL || error_number == ENOSYS ||
         error_number == EOPNOTSUPP;
}

}  // namespace

std::string spool_directory(const std::string& requested) {
  if (!requested.empty()) return requested;
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

SpoolFile::SpoolFile(const std::string& directory)
    : fd_(open_anonymous(directory)), directory_(directory) {}

void SpoolFile::write(Bytes data) {
  write_all(fd_.get(), data, "a spool file in " + directory_);
  size_ += static_cast<std::int64_t>(data.size());
}

void SpoolFile::copy_to_file(int fd, std::int64_t offset, const std::string& what) const {
  loff_t in = 0;
  loff_t out = offset;
  while (in < size_) {
    ssize_t copied =
        ::copy_file_range(fd_.get(), &in, fd, &out, static_cast<std::size_t>(size_ - in), 0);
    if (copied > 0) continue;
    if (copied < 0 && errno == EINTR) continue;
    if (copied < 0 && !is_unsupported(errno)) fail("cannot write " + what, errno);
    break;
  }
  std::vector<std::byte> buffer(kChunkSize);
  while (in < size_) {
    ssize_t got = ::pread(fd_.get(), buffer.data(), buffer.size(), in);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) fail("cannot read a spool file in " + directory_, got < 0 ? errno : EIO);
    Bytes chunk(buffer.data(), static_cast<std::size_t>(got));
    while (!chunk.empty()) {
      ssize_t put = ::pwrite(fd, chunk.data(), chunk.size(), out);
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) fail("cannot write " + what, errno);
      chunk = chunk.subspan(static_cast<std::size_t>(put));
      out += put;
    }
    in += got;
  }
}

void SpoolFile::append_from(int fd, std::int64_t offset, std::int64_t length,
                            const std::string& what) {
  loff_t in = offset;
  loff_t out = size_;
  const loff_t end = offset + length;
  while (in < end) {
    ssize_t copied =
        ::copy_file_range(fd, &in, fd_.get(), &out, static_cast<std::size_t>(end - in), 0);
    if (copied > 0) continue;
    if (copied < 0 && errno == EINTR) continue;
    if (copied < 0 && !is_unsupported(errno)) fail("cannot read " + what, errno);
    break;
  }
  size_ = out;
  // copy_file_range leaves the file position alone: later writes append from the new end.
  if (::lseek(fd_.get(), size_, SEEK_SET) < 0) fail("cannot seek a spool file", errno);
  std::vector<std::byte> buffer(kChunkSize);
  while (in < end) {
    std::size_t want =
        static_cast<std::size_t>(std::min(end - in, static_cast<loff_t>(kChunkSize)));
    ssize_t got = ::pread(fd, buffer.data(), want, in);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) fail("cannot read " + what, got < 0 ? errno : EIO);
    SpoolFile::write(Bytes(buffer.data(), static_cast<std::size_t>(got)));
    in += got;
  }
}

void SpoolFile::copy_to(ByteSink& sink) const {
  std::vector<std::byte> buffer(kChunkSize);
  std::int64_t at = 0;
  while (at < size_) {
    ssize_t got = ::pread(fd_.get(), buffer.data(), buffer.size(), at);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) fail("cannot read a spool file in " + directory_, got < 0 ? errno : EIO);
    sink.write(Bytes(buffer.data(), static_cast<std::size_t>(got)));
    at += got;
  }
}

}  // namespace hocker::archive
