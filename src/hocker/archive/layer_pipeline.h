// One layer's trip from the fetcher to its archive entry: progress counting, the stop check,
// verification of the compressed digest and size, and, when the layer is stored decompressed,
// decompression and verification of the diff_id.
#pragma once

#include <string>

#include "hocker/archive/archive_plan.h"
#include "hocker/archive/scheduler.h"
#include "hocker/base/progress.h"

namespace hocker::archive {

/// Fetches `task.blob` with `fetch` and streams it, verified, into `destination` (decompressed
/// when task.diff_id is set). Returns the digest of what was written (the diff_id or the blob
/// digest). Throws Error(kIntegrity) on a digest or size mismatch, whatever `fetch` throws, and
/// Error(kInternal) when `stop` was set meanwhile. Reports progress when `progress` is set.
std::string fetch_layer(const LayerTask& task, const BlobFetcher& fetch, ByteSink& destination,
                        ProgressObserver* progress, const StopFlag& stop);

}  // namespace hocker::archive
