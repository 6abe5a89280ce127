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
#include "hocker/base/unique_fd.h"
#include "hocker/digest/digest.h"

namespace hocker::cache {

class BlobWriter;

/// How many runs may resume a partial file of unknown size before it is started afresh.
inline constexpr int kMaxUnsizedResumes = 4;

/// Where one entry lives: a folder opened once (never through a link) and a validated name.
struct CacheEntry {
  int folder = -1;   ///< Borrowed from the BlobCache, which must outlive the entry.
  std::string name;  ///< The digest's hex.
  std::string path;  ///< For messages only.
};

/// The cache at one directory. Thread-safe; safe across processes (flock on partial files).
/// Safe on a shared machine: the root must belong to the current user and be closed to group
/// and others (else Error kLocalIo, as ssh treats its key files); folders are created 0700 and
/// files 0600; an entry that is not a regular file with one link (a symlink, a FIFO, a device,
/// a hard link) is never opened for writing or streamed: it is removed as a foreign object.
class BlobCache {
 public:
  /// Creates `root` and its layout when missing and checks who may write them. A `root` that
  /// is a symlink is followed (the user named it); the folders inside it are not.
  /// Throws Error(kLocalIo).
  explicit BlobCache(std::string root);

  const std::string& root() const { return root_; }
  /// The path of the complete blob `digest`, when cached.
  std::optional<std::string> find(const digest::Digest& digest) const;
  /// Streams the cached blob `digest` into `sink` (write() only), after verifying its digest
  /// (and its size, when `expected_size` >= 0) so that no unverified byte reaches `sink`.
  /// False when not cached. Throws Error(kIntegrity) for an entry that does not match (one
  /// whose content no longer matches its name is removed) and Error(kLocalIo) when reading fails.
  bool read(const digest::Digest& digest, ByteSink& sink, std::int64_t expected_size = -1) const;
  /// Starts or resumes storing `digest`, waiting while another process holds its partial file.
  /// Returns nullptr when the blob became complete meanwhile (read it instead). A partial file
  /// of unknown size resumed by kMaxUnsizedResumes runs already starts afresh.
  std::unique_ptr<BlobWriter> begin(const digest::Digest& digest, std::int64_t expected_size);

 private:
  CacheEntry blob_entry(const digest::Digest& digest) const;
  CacheEntry partial_entry(const digest::Digest& digest) const;
  std::string root_;
  UniqueFd root_fd_;
  UniqueFd blobs_[2];  // Indexed by digest::Algorithm.
  UniqueFd partials_[2];
};

/// A download into the cache. write() appends to the partial file; commit() verifies the
/// whole content (kept bytes included) and moves it into place. Without commit() the partial
/// file stays for the next attempt to resume, unless it was found corrupt.
class BlobWriter final : public ByteSink {
 public:
  /// Takes `file`, the opened and locked partial file `partial`; `blob` is where commit() puts it.
  BlobWriter(UniqueFd file, CacheEntry partial, CacheEntry blob, digest::Digest digest,
             std::int64_t expected_size);
  ~BlobWriter() override = default;
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
  void forget_partial();
  UniqueFd file_;  // Closing it releases the lock.
  CacheEntry partial_;
  CacheEntry blob_;
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
