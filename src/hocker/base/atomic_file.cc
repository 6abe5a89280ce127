#include "hocker/base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
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

namespace {

// The path to replace atomically, or empty when `target` is written through.
std::string path_to_replace(const std::string& target) {
  struct stat link {};
  if (::lstat(target.c_str(), &link) != 0) return target;  // Missing, or fails at creation.
  if (S_ISREG(link.st_mode)) return target;
  if (S_ISLNK(link.st_mode) && link.st_uid != ::geteuid() && link.st_uid != 0) {
    throw Error(ErrorKind::kLocalIo, "refusing to write " + target + ": a symlink owned by uid " +
                                         std::to_string(link.st_uid) +
                                         ", not by you or root; remove it or name its target");
  }
  struct stat info {};
  if (::stat(target.c_str(), &info) != 0) return target;  // Dangling: the link is replaced.
  if (S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode)) return "";
  if (S_ISREG(info.st_mode)) {
    char* resolved = ::realpath(target.c_str(), nullptr);
    if (resolved == nullptr) fail("cannot resolve " + target, errno);
    std::string path(resolved);
    std::free(resolved);
    return path;
  }
  const char* kind = S_ISDIR(info.st_mode)   ? "a directory"
                     : S_ISBLK(info.st_mode) ? "a block device"
                                             : "not a regular file, character device or FIFO";
  throw Error(ErrorKind::kLocalIo, "refusing to write " + target + ": it is " + kind);
}

}  // namespace

AtomicFile::AtomicFile(std::string target) : target_(std::move(target)) {
  std::string replaced = path_to_replace(target_);
  if (replaced.empty()) {
    open_through();
  } else {
    create_temporary(replaced);
  }
}

void AtomicFile::open_through() {
  // Like a shell's `>`: no O_CREAT (it exists), no O_TRUNC (a device or FIFO has no length).
  fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) fail("cannot open " + target_, errno);
  writes_through_ = true;
}

void AtomicFile::create_temporary(const std::string& replaced) {
  install_cleanup_handlers();
  replaced_ = replaced;
  temporary_ = directory_of(replaced) + "/." + base_of(replaced) + ".hocker-XXXXXX";
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
  if (writes_through_) return;  // Nothing of ours to remove.
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
  if (writes_through_) {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write " + target_, errno);
    committed_ = true;
    return;
  }
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd_, 0666 & ~mask) != 0) fail("cannot set the mode of " + target_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("cannot write " + target_, errno);
  }
  fd_ = -1;
  if (::rename(temporary_.c_str(), replaced_.c_str()) != 0) {
    fail("cannot rename into " + target_, errno);
  }
  committed_ = true;
}

}  // namespace hocker
