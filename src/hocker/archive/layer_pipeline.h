// One layer's trip from the fetcher to its archive entry: progress counting, the stop check,
// verification of the compressed digest and size, and, when the layer is stored decompressed,
// decompression and verification of the diff_id.
#pragma once

#include <cstddef>
#include <string>

#include "hocker/archive/archive_plan.h"
#include "hocker/archive/scheduler.h"
#include "hocker/base/progress.h"

namespace hocker::archive {

/// How many chunks each hand-off between a layer's threads may hold when `concurrent` layers
/// are fetched at once. Deep queues let a lone layer's stages (receive, inflate, write) each
/// run at their own pace on a busy machine; shallow ones keep memory flat when many layers
/// share the cores: 16 chunks (2 MiB) per stage shared by the layers running at once, at
/// least 2 each.
std::size_t handoff_slots(std::size_t concurrent);

/// Fetches `task.blob` with `fetch` and streams it, verified, into `destination` (decompressed
/// when task.diff_id is set), through hand-offs of `slots` chunks. Returns the digest of what
/// was written (the diff_id or the blob digest). Throws Error(kIntegrity) on a digest or size
/// mismatch, whatever `fetch` throws, and Error(kInternal) when `stop` was set meanwhile.
/// Reports progress when `progress` is set.
std::string fetch_layer(const LayerTask& task, const BlobFetcher& fetch, ByteSink& destination,
                        ProgressObserver* progress, const StopFlag& stop, std::size_t slots = 2);

}  // namespace hocker::archive
