// The values of the registry's write side (OCI distribution spec, "Pushing blobs" and "Pushing
// manifests"): an upload session and the outcome of a cross-repository mount. The requests
// themselves are Client members (registry/upload.cc); streaming a blob in chunks is
// registry/blob_upload.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hocker::registry {

/// An open blob upload: where the registry wants the next request, and its chunk rules.
struct UploadSession {
  std::string repository;
  /// Absolute URL of the session, from the last answer's Location (always on the registry's
  /// own origin: a Location elsewhere is refused).
  std::string url;
  /// OCI-Chunk-Min-Length of the opening answer: every PATCH but the last must carry at least
  /// this many bytes; 0 when the registry named none.
  std::int64_t min_chunk = 0;
};

/// What a cross-repository mount request achieved.
struct MountResult {
  /// True: the registry answered 201 and the blob is now in the repository.
  bool mounted = false;
  /// When not mounted: the upload session the registry opened instead (202), ready for the
  /// blob's bytes (mounting falls back to an upload without another round trip).
  std::optional<UploadSession> session;
};

/// The push scope of `repository` for token requests: "repository:<name>:pull,push".
std::string push_scope(const std::string& repository);

}  // namespace hocker::registry
