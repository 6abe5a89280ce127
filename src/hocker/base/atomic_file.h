// Output files that appear whole or not at all: data goes to a temporary file beside the
// target, renamed over it on commit(); destruction without commit() removes the temporary,
// and so does SIGINT/SIGTERM (see cleanup.h).
#pragma once

#include <string>

#include "hocker/base/byte_sink.h"

namespace hocker {

/// A file being written to `target`. Not thread-safe except for pwrite_at().
class AtomicFile final : public ByteSink {
 public:
  /// Creates the temporary beside `target`. Throws Error(kLocalIo) naming the path.
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

  /// Flushes, sets mode 0644 (minus umask) and renames over the target.
  void commit();

 private:
  std::string target_;
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
