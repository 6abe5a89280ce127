// What a push needs from the registry, for one repository: ask whether a blob is there, mount
// it from another repository, upload it (streaming, or whole when small), and put a manifest.
// The registry adapter lives in registry_target.h; tests use an in-memory double.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hocker/base/byte_sink.h"
#include "hocker/digest/digest.h"

namespace hocker::push {

/// A blob upload in progress: bytes go in through write(), in order; finish() ends the data;
/// commit(digest) asks the registry to store it under `digest`, which it checks (a refusal is
/// Error(kIntegrity)). Destroying an uncommitted upload abandons it.
class PushUpload : public ByteSink {
 public:
  virtual void commit(const digest::Digest& digest) = 0;
};

/// One repository of one registry, as a push sees it. Thread-safe implementations may be shared
/// by worker threads.
class PushTarget {
 public:
  virtual ~PushTarget() = default;
  /// The repository's name, for messages and the final `name@digest` line.
  virtual std::string name() const = 0;
  /// Whether the repository has the blob (HEAD).
  virtual bool has_blob(const digest::Digest& digest) = 0;
  /// Asks the registry to mount `digest` from `repository` of the same registry; true when it
  /// did, false when it answered with an ordinary upload instead (which is abandoned).
  virtual bool mount_blob(const digest::Digest& digest, const std::string& repository) = 0;
  /// Starts a streaming upload.
  virtual std::unique_ptr<PushUpload> begin_upload() = 0;
  /// Uploads a small blob (a config) whole, byte-exact.
  virtual void put_blob(const digest::Digest& digest, std::string_view content) = 0;
  /// PUTs a manifest or index under `reference` (a tag or its digest) with `media_type`;
  /// returns the digest of `raw`.
  virtual digest::Digest put_manifest(const std::string& reference, std::string_view media_type,
                                      std::string_view raw) = 0;
};

}  // namespace hocker::push
