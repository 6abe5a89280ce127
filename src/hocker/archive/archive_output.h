// Where an image archive goes: a seekable file that entries may be written into at any offset,
// concurrently, or a stream (standard output, a pipe) that is written strictly in order.
#pragma once

#include <string>

#include "hocker/base/atomic_file.h"

namespace hocker::archive {

/// The destination of write_image_archive(). Holds references; the caller keeps the file or
/// descriptor open, and commits an AtomicFile only after write_image_archive() returned.
class ArchiveOutput {
 public:
  /// A regular file, written from its current position (normally 0).
  explicit ArchiveOutput(AtomicFile& file) : file_(&file), fd_(file.fd()), what_(file.target()) {}
  /// A non-seekable descriptor such as standard output; `what` names it in errors.
  ArchiveOutput(int fd, std::string what) : fd_(fd), what_(std::move(what)) {}

  bool is_seekable() const { return file_ != nullptr; }
  /// The file, or nullptr for a stream.
  AtomicFile* file() const { return file_; }
  int fd() const { return fd_; }
  const std::string& what() const { return what_; }

 private:
  AtomicFile* file_ = nullptr;
  int fd_ = -1;
  std::string what_;
};

}  // namespace hocker::archive
