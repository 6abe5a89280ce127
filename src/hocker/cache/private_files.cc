#include "hocker/cache/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "hocker/base/error.h"

namespace hocker::cache {
namespace {

[[noreturn]] void fail(const std::string& what, int error_number) {
  throw Error(ErrorKind::kLocalIo, "cache: " + what + ": " + std::strerror(error_number));
}

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Like ssh with its key files: a folder someone else could write is a folder someone else
// could plant links in, so it is refused rather than repaired.
void check_private(int fd, const std::string& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) fail("cannot inspect " + path, errno);
  if (info.st_uid != ::geteuid()) {
    throw Error(ErrorKind::kLocalIo, "cache " + path + " is owned by uid " +
                                         std::to_string(info.st_uid) + ", not by uid " +
                                         std::to_string(::geteuid()) +
                                         " (you): refusing to use it (a local I/O error)");
  }
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw Error(ErrorKind::kLocalIo, "cache " + path + " is writable by group or others (mode " +
                                         octal(info.st_mode) +
                                         "): refusing to use it (a local I/O error); run "
                                         "chmod go-w " +
                                         path);
  }
}

bool is_foreign(const struct stat& info) {
  return !S_ISREG(info.st_mode) || info.st_nlink != 1;
}

}  // namespace

UniqueFd open_private_root(const std::string& path) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      fail("cannot create " + prefix, errno);
    }
    if (slash == std::string::npos) break;
  }
  UniqueFd root(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) fail("cannot open " + path, errno);
  check_private(root.get(), path);
  return root;
}

UniqueFd open_private_folder(int parent, const std::string& name, const std::string& path) {
  if (::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
    fail("cannot create " + path, errno);
  }
  UniqueFd folder(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!folder) {
    if (errno == ELOOP || errno == ENOTDIR) {
      throw Error(ErrorKind::kLocalIo, "cache " + path +
                                           " is not a folder (a symlink?): refusing to use it "
                                           "(a local I/O error)");
    }
    fail("cannot open " + path, errno);
  }
  check_private(folder.get(), path);
  return folder;
}

bool is_private_file(int folder, const std::string& name) {
  struct stat info {};
  return ::fstatat(folder, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 && !is_foreign(info);
}

UniqueFd open_private_file(int folder, const std::string& name, int flags, Create create,
                           const std::string& path) {
  // Two rounds: a foreign entry removed in the first leaves room for our own in the second.
  for (int round = 0; round < 2; ++round) {
    struct stat info {};
    bool exists = ::fstatat(folder, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && is_foreign(info)) {  // Checked before open(): opening a device can act.
      if (::unlinkat(folder, name.c_str(), 0) != 0) fail("cannot remove " + path, errno);
      continue;
    }
    if (!exists && create == Create::kNo) return UniqueFd();
    // O_NONBLOCK: a FIFO swapped in after the check must not block open() or read().
    int open_flags = flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    if (create == Create::kYes) open_flags |= O_CREAT;
    UniqueFd file(::openat(folder, name.c_str(), open_flags, 0600));
    if (!file && errno == ENOENT && create == Create::kNo) return UniqueFd();
    if (!file && errno != ELOOP && errno != ENXIO) fail("cannot open " + path, errno);
    if (file && ::fstat(file.get(), &info) != 0) fail("cannot inspect " + path, errno);
    if (!file || is_foreign(info)) {
      if (::unlinkat(folder, name.c_str(), 0) != 0 && errno != ENOENT) {
        fail("cannot remove " + path, errno);
      }
      continue;
    }
    int status = ::fcntl(file.get(), F_GETFL);
    if (status < 0 || ::fcntl(file.get(), F_SETFL, status & ~O_NONBLOCK) != 0) {
      fail("cannot use " + path, errno);
    }
    return file;
  }
  if (create == Create::kNo) return UniqueFd();
  throw Error(ErrorKind::kLocalIo, "cache: " + path +
                                       " keeps being replaced by something other "
                                       "than a regular file");
}

}  // namespace hocker::cache
