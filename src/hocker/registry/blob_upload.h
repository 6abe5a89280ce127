// Streams one blob of any size into a registry as a chunked upload: bytes are buffered up to a
// bounded chunk, each chunk PATCHed in order, and a chunk cut by a network failure or a 5xx is
// resumed from the byte the registry reports holding. Only the current chunk is in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "hocker/base/byte_sink.h"
#include "hocker/base/error.h"
#include "hocker/digest/digest.h"
#include "hocker/registry/client.h"
#include "hocker/registry/upload.h"

namespace hocker::registry {

/// The chunk size BlobUpload buffers by default: few round trips, bounded memory.
inline constexpr std::size_t kDefaultUploadChunk = std::size_t{16} << 20;
/// The largest chunk hocker holds; a registry whose OCI-Chunk-Min-Length asks for more is
/// refused (Error kFormat).
inline constexpr std::int64_t kMaxUploadChunk = std::int64_t{256} << 20;

/// A ByteSink that uploads what it is written. Write the blob's bytes, then commit(digest):
/// the digest is computed here while streaming, and a blob whose bytes do not hash to the
/// digest named is never committed (Error kIntegrity). finish() does nothing: commit() ends the
/// upload. Destroyed without a commit, the session is cancelled (DELETE, best effort).
///
/// A PATCH that fails transiently is retried after the client's retry policy waits: the
/// registry is asked where it stands (GET -> Range) and the chunk resent from there. A registry
/// that lost the session, or reports a position outside the current chunk, ends the upload
/// with Error(kNetwork, Transient::kYes) saying it must start again: the caller restarts the
/// blob (with a new BlobUpload) if its source can be read again.
class BlobUpload final : public ByteSink {
 public:
  /// Continues `session` (from Client::start_upload, or a mount's 202). Chunks are
  /// `chunk_size` bytes, or the session's OCI-Chunk-Min-Length when that is larger.
  BlobUpload(Client& client, UploadSession session, std::size_t chunk_size = kDefaultUploadChunk,
             digest::Algorithm algorithm = digest::Algorithm::kSha256);
  /// Opens a session on `repository` (POST) and continues it.
  BlobUpload(Client& client, const std::string& repository,
             std::size_t chunk_size = kDefaultUploadChunk,
             digest::Algorithm algorithm = digest::Algorithm::kSha256);
  ~BlobUpload() override;
  BlobUpload(const BlobUpload&) = delete;
  BlobUpload& operator=(const BlobUpload&) = delete;

  void write(Bytes data) override;
  void finish() override {}

  /// Sends the buffered bytes, then PUT ?digest=`digest`. Throws Error(kIntegrity) (nothing
  /// committed, the session cancelled) when the bytes written hash otherwise.
  void commit(const digest::Digest& digest);

  /// Bytes written so far.
  std::int64_t size() const { return sent_ + static_cast<std::int64_t>(buffer_.size()); }

 private:
  void send_buffer();
  void resend_from_registry_position(int attempt, const Error& failure);

  Client& client_;
  UploadSession session_;
  std::size_t chunk_size_;
  digest::Hasher hasher_;
  std::string buffer_;           // The current chunk, not yet acknowledged.
  std::int64_t sent_ = 0;        // Bytes the registry acknowledged, before buffer_.
  std::size_t resend_from_ = 0;  // Within buffer_: where the next PATCH starts.
  bool done_ = false;
};

}  // namespace hocker::registry
