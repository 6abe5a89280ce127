// Temporary files for layer bytes that arrive before their turn in the archive. They are
// unlinked from the start (O_TMPFILE, or mkstemp then unlink), so a crash leaves nothing.
#pragma once

#include <cstdint>
#include <string>

#include "hocker/base/byte_sink.h"
#include "hocker/base/unique_fd.h"

namespace hocker::archive {

/// An anonymous file in `directory`, appended to with write() and copied out afterwards.
class SpoolFile final : public ByteSink {
 public:
  /// Throws Error(kLocalIo) naming the directory.
  explicit SpoolFile(const std::string& directory);

  void write(Bytes data) override;
  void finish() override {}
  std::int64_t size() const { return size_; }
  /// The file's descriptor (read it with pread: write() moves its offset).
  int fd() const { return fd_.get(); }

  /// Copies the whole content to `fd` at `offset` (copy_file_range when the kernel can, else
  /// pread/pwrite in chunks). Throws Error(kLocalIo) mentioning `what`.
  void copy_to_file(int fd, std::int64_t offset, const std::string& what) const;
  /// Appends bytes [offset, offset + length) of file `fd` (copy_file_range when the kernel
  /// can, else pread/write in chunks). Throws Error(kLocalIo) mentioning `what`.
  void append_from(int fd, std::int64_t offset, std::int64_t length, const std::string& what);
  /// Feeds the whole content to `sink` in chunks of kChunkSize.
  void copy_to(ByteSink& sink) const;

 private:
  UniqueFd fd_;
  std::string directory_;
  std::int64_t size_ = 0;
};

/// The spool directory to use: `requested` when set, else $TMPDIR, else /tmp.
std::string spool_directory(const std::string& requested);

}  // namespace hocker::archive
