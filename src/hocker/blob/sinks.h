// Stages of the push-style byte pipeline: verifying, hashing, decompressing (gzip via ISA-L,
// zstd), gzip compression, writing to a descriptor. The only code that sees zlib/ISA-L/zstd.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hocker/base/byte_sink.h"
#include "hocker/base/tee_sink.h"
#include "hocker/digest/digest.h"

namespace hocker::blob {

/// Hashes and counts what passes, then forwards it to `next`. write() throws Error(kIntegrity)
/// as soon as more than `expected_size` bytes arrive; finish() throws Error(kIntegrity,
/// "<subject>: digest mismatch: expected sha256:…, got sha256:…" or "<subject>: size
/// mismatch: expected N bytes, got M") and otherwise calls next.finish().
class VerifySink final : public ByteSink {
 public:
  /// `expected_size` -1 means unknown (only the digest is checked).
  VerifySink(std::string subject, digest::Digest expected, std::int64_t expected_size,
             ByteSink& next);
  void write(Bytes data) override;
  void finish() override;
  std::int64_t bytes() const { return bytes_; }

 private:
  std::string subject_;
  digest::Digest expected_;
  std::int64_t expected_size_;
  ByteSink& next_;
  digest::Hasher hasher_;
  std::int64_t bytes_ = 0;
};

/// Hashes and counts what passes and forwards it to `next`; finish() calls next.finish().
/// A digest::Hasher and a TeeSink, kept together so the hasher lives as long as the tee.
class DigestTee final : public ByteSink {
 public:
  explicit DigestTee(ByteSink& next, digest::Algorithm algorithm = digest::Algorithm::kSha256)
      : hasher_(algorithm), tee_(hasher_, next) {}
  void write(Bytes data) override { tee_.write(data); }
  void finish() override { tee_.finish(); }
  /// The digest of everything written; call once, after the last write.
  digest::Digest digest() { return hasher_.digest(); }
  std::int64_t bytes() const { return tee_.bytes(); }

 private:
  digest::Hasher hasher_;
  TeeSink tee_;
};

/// Writes to a file descriptor it does not own, retrying short writes and EINTR. Throws
/// Error(kLocalIo) naming `what` (a path or "standard output"). finish() does nothing.
class FdSink final : public ByteSink {
 public:
  FdSink(int fd, std::string what);
  void write(Bytes data) override;
  void finish() override {}
  std::int64_t bytes() const { return bytes_; }

 private:
  int fd_;
  std::string what_;
  std::int64_t bytes_ = 0;
};

/// Discards everything.
class NullSink final : public ByteSink {
 public:
  void write(Bytes) override {}
  void finish() override {}
};

/// Collects everything in memory. For small documents and tests only.
class StringSink final : public ByteSink {
 public:
  void write(Bytes data) override;
  void finish() override { finished_ = true; }
  const std::string& data() const { return data_; }
  bool finished() const { return finished_; }

 private:
  std::string data_;
  bool finished_ = false;
};

/// Coalesces small writes into chunks of `capacity` bytes before forwarding them to `next`
/// (large writes pass straight through). flush() forwards what is buffered; finish() flushes
/// and calls next.finish().
class BufferedSink final : public ByteSink {
 public:
  explicit BufferedSink(ByteSink& next, std::size_t capacity = kChunkSize);
  void write(Bytes data) override;
  void finish() override;
  void flush();

 private:
  ByteSink& next_;
  std::vector<std::byte> buffer_;
  std::size_t used_ = 0;
};

/// A decompressing stage. It detects the format from the stream's first bytes, so a lying media
/// type cannot fool it: gzip (1f 8b, several members allowed) is inflated with ISA-L, zstd
/// (28 b5 2f fd, several frames allowed) with libzstd, anything else passes through unchanged.
/// Output reaches `next` in chunks of kChunkSize (the last may be shorter). Corrupt data throws
/// Error(kIntegrity) naming `subject`; finish() throws Error(kIntegrity) when the stream ends
/// mid-member or mid-frame, then calls next.finish().
///
/// GzipCrc::kSkip leaves out the gzip CRC-32 pass over the output (the trailer's length is still
/// checked): for callers that check the output against its SHA-256 (a diff_id) anyway, where
/// the CRC adds nothing but a tenth of the inflating thread's time.
enum class GzipCrc { kVerify, kSkip };
std::unique_ptr<ByteSink> make_decompressor(std::string subject, ByteSink& next,
                                            GzipCrc crc = GzipCrc::kVerify);

/// A gzip-compressing stage (zlib, `level` 1-9) with a deterministic header: mtime 0, no name,
/// OS byte 255. finish() ends the member and calls next.finish().
std::unique_ptr<ByteSink> make_gzip_compressor(ByteSink& next, int level = 6);

/// A zstd-compressing stage (libzstd, one frame, `level` 1-19, content checksum on, no
/// dictionary: deterministic for a given libzstd). `workers` 0 compresses in the caller's thread;
/// any `workers` >= 1 uses libzstd's worker threads and gives the same bytes for every count
/// (though not the bytes of 0). finish() ends the frame and calls next.finish().
std::unique_ptr<ByteSink> make_zstd_compressor(ByteSink& next, int level = 3, int workers = 0);

}  // namespace hocker::blob
