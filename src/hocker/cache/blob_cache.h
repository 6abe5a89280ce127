// A content-addressed store of verified compressed blobs (--cache DIR / HOCKER_CACHE), shared
// by every command and image: complete blobs live under blobs/sha256/<hex>, downloads in
// progress under partial/sha256/<hex>, locked so that concurrent hocker processes cooperate
// and an interrupted download resumes where it stopped.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hocker/base/byte_sink.h"
#include "hocker/digest/digest.h"

namespace hocker::cache {

class BlobWriter;

/// The cache at one directory. Thread-safe; safe across processes (flock on partial files).
class BlobCache {
 public:
  /// Creates `root` and its layout when missing. Throws Error(kLocalIo).
  explicit BlobCache(std::string root);

  const std::string& root() const { return root_; }
  /// The path of the complete blob `digest`, when cached.
  std::optional<std::string> find(const digest::Digest& digest) const;
  /// Streams the cached blob `digest` into `sink` (write() only). False when not cached.
  /// Throws Error(kLocalIo) when reading fails.
  bool read(const digest::Digest& digest, ByteSink& sink) const;
  /// Starts or resumes storing `digest`, waiting while another process holds its partial file.
  /// Returns nullptr when the blob became complete meanwhile (read it instead).
  std::unique_ptr<BlobWriter> begin(const digest::Digest& digest, std::int64_t expected_size);

 private:
  std::string blob_path(const digest::Digest& digest) const;
  std::string partial_path(const digest::Digest& digest) const;
  std::string root_;
};

/// A download into the cache. write() appends to the partial file; commit() verifies the
/// whole content (kept bytes included) and moves it into place. Without commit() the partial
/// file stays for the next attempt to resume, unless it was found corrupt.
class BlobWriter final : public ByteSink {
 public:
  BlobWriter(int fd, std::string partial_path, std::string final_path, digest::Digest digest,
             std::int64_t expected_size);
  ~BlobWriter() override;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  /// Bytes already stored by an earlier, interrupted download.
  std::int64_t offset() const { return stored_; }
  /// Streams the bytes already stored into `sink` (and into the running hash).
  void replay(ByteSink& sink);
  /// Whether the bytes stored already make the whole blob (a run stopped after the last byte
  /// but before commit()): its expected size when known, else its digest, which needs
  /// replay() first. Nothing is left to download then; commit() verifies as usual.
  bool holds_whole_blob() const;
  void write(Bytes data) override;
  void finish() override {}
  /// Verifies digest and size; on success renames into the cache, else removes the partial
  /// file and throws Error(kIntegrity).
  void commit();
  /// Removes the partial file: its bytes were refused downstream (a digest or gzip error),
  /// so resuming from them would fail the same way on every later run.
  void discard();

 private:
  int fd_;
  std::string partial_path_;
  std::string final_path_;
  digest::Digest digest_;
  std::int64_t expected_size_;
  std::int64_t stored_ = 0;
  digest::Hasher hasher_;
  bool replayed_ = false;
};

/// The cache directory the user asked for: `flag` when not empty, else $HOCKER_CACHE, else
/// none (caching is off by default).
std::optional<std::string> cache_directory(const std::string& flag);

}  // namespace hocker::cache
