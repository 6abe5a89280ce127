#include "hocker/base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hocker/base/cleanup.h"
#include "hocker/base/error.h"

namespace hocker {
namespace {

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void fail(const std::string& what, int error_number) {
  throw Error(ErrorKind::kLocalIo, what + ": " + std::strerror(error_number));
}

}  // namespace

void write_all(int fd, Bytes data, const std::string& what) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + what, errno);
    }
    data = data.subspan(static_cast<std::size_t>(written));
  }
}

AtomicFile::AtomicFile(std::string target) : target_(std::move(target)) {
  install_cleanup_handlers();
  temporary_ = directory_of(target_) + "/." + base_of(target_) + ".hocker-XXXXXX";
  // Register before the file exists, so that no signal can strand it.
  cleanup_slot_ = register_cleanup(temporary_);
  fd_ = ::mkostemp(temporary_.data(), O_CLOEXEC);
  if (fd_ < 0) {
    int saved = errno;
    unregister_cleanup(cleanup_slot_);
    fail("cannot create a file beside " + target_, saved);
  }
  unregister_cleanup(cleanup_slot_);
  cleanup_slot_ = register_cleanup(temporary_);  // Now with the name mkostemp chose.
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temporary_.c_str());
  unregister_cleanup(cleanup_slot_);
}

void AtomicFile::write(Bytes data) {
  write_all(fd_, data, target_);
  position_ += static_cast<long long>(data.size());
}

void AtomicFile::pwrite_at(Bytes data, long long offset) {
  while (!data.empty()) {
    ssize_t written = ::pwrite(fd_, data.data(), data.size(), offset);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + target_, errno);
    }
    data = data.subspan(static_cast<std::size_t>(written));
    offset += written;
  }
}

void AtomicFile::seek(long long offset) {
  if (::lseek(fd_, offset, SEEK_SET) < 0) fail("cannot seek in " + target_, errno);
  position_ = offset;
}

void AtomicFile::commit() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd_, 0666 & ~mask) != 0) fail("cannot set the mode of " + target_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("cannot write " + target_, errno);
  }
  fd_ = -1;
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
    fail("cannot rename into " + target_, errno);
  }
  committed_ = true;
}

}  // namespace hocker
