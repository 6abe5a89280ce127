// Output files that appear whole or not at all: data goes to a temporary file beside the
// target, renamed over it on commit(); destruction without commit() removes the temporary,
// and so does SIGINT/SIGTERM (see cleanup.h). Targets that are not files (a character device
// such as /dev/null, a FIFO, /dev/stdout) are written through instead, never renamed over.
#pragma once

#include <string>

#include "hocker/base/byte_sink.h"

namespace hocker {

/// A file being written to `target`. Not thread-safe except for pwrite_at().
///
/// What `target` is decides how it is written:
/// - missing or a regular file: replaced atomically (temporary file, then rename);
/// - a character device or FIFO, named directly or through a symlink (/dev/stdout): written
///   through, opened without creating or truncating (the descriptor is not seekable);
/// - a symlink to a regular file: that file is replaced atomically and the link kept; a
///   dangling symlink is replaced itself. Only links owned by the current user or by root are
///   followed: one planted by another user in a shared folder such as /tmp would otherwise
///   choose which file a root run overwrites, so it is refused;
/// - a directory, block device or socket: refused.
class AtomicFile final : public ByteSink {
 public:
  /// Creates the temporary beside `target`, or opens `target` when it is written through.
  /// Throws Error(kLocalIo) naming the path.
  explicit AtomicFile(std::string target);
  ~AtomicFile() override;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Appends at the current end (the file position). Throws Error(kLocalIo).
  void write(Bytes data) override;
  /// No-op: the data is made visible by commit().
  void finish() override {}
  /// Writes at an absolute offset without moving the append position. Thread-safe.
  void pwrite_at(Bytes data, long long offset);
  /// Moves the append position (e.g. past a region filled with pwrite_at()).
  void seek(long long offset);
  /// Bytes appended so far (the append position).
  long long position() const { return position_; }
  int fd() const { return fd_; }
  const std::string& target() const { return target_; }
  const std::string& temporary_path() const { return temporary_; }
  /// Whether `target` is a device or FIFO written directly: then seek() and pwrite_at() do not
  /// work, and there is no file whose path it would make sense to report.
  bool writes_through() const { return writes_through_; }

  /// Flushes, sets mode 0644 (minus umask) and renames over the target; when writing through,
  /// closes the target.
  void commit();

 private:
  void create_temporary(const std::string& replaced);
  void open_through();
  bool writes_through_ = false;
  std::string target_;
  std::string replaced_;  // The file renamed over: the target, or the file its symlink names.
  std::string temporary_;
  int fd_ = -1;
  int cleanup_slot_ = -1;
  long long position_ = 0;
  bool committed_ = false;
};

/// Writes all of `data` to `fd` at its current position, retrying short writes and EINTR.
/// Throws Error(kLocalIo) mentioning `what`.
void write_all(int fd, Bytes data, const std::string& what);

}  // namespace hocker
