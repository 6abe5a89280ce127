// Moving one blob from a source registry to a target one without touching disk: skipped when
// the target has it, mounted when both repositories are on one registry, else streamed from a
// GET (through the blob cache when given) into one streamed PUT, both running at once.
#pragma once

#include <cstdint>
#include <string>

#include "hocker/base/progress.h"
#include "hocker/cache/blob_cache.h"
#include "hocker/image/descriptor.h"
#include "hocker/registry/client.h"

namespace hocker::copy {

/// What became of one blob.
enum class BlobOutcome { kPresent, kMounted, kUploaded };

/// The two ends of a copy. The clients may be one and the same (one registry).
struct CopyEnds {
  registry::Client& source;
  std::string source_repository;
  registry::Client& target;
  std::string target_repository;
  cache::BlobCache* cache = nullptr;
};

/// Whether the two ends are on one registry (a mount is worth asking for).
bool same_registry(const CopyEnds& ends);

/// Copies `blob` to the target unless it is there already (HEAD). On one registry, asks for a
/// mount first and uploads into the session a refused mount opens. An upload that must start
/// again (the registry lost it) is restarted, fetching the blob anew, up to the target's retry
/// attempts. `progress` (may be null) hears layer_started/progress/finished under `index`.
/// Throws Error(kIntegrity) when the bytes fetched do not match the descriptor (nothing is
/// committed), and what the clients throw.
BlobOutcome copy_blob(const CopyEnds& ends, const image::Descriptor& blob, std::size_t index,
                      ProgressObserver* progress);

}  // namespace hocker::copy
