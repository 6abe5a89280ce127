#include "hocker/archive/blob_prefetch.h"

#include <set>

#include "hocker/archive/scheduler.h"
#include "hocker/blob/sinks.h"

namespace hocker::archive {

BlobPrefetch::BlobPrefetch(const std::vector<image::Descriptor>& layers, BlobFetcher fetch,
                           const std::string& spool_dir, PrefetchLimits limits)
    : fetch_(std::move(fetch)) {
  std::set<std::string> seen;
  for (const image::Descriptor& layer : layers) {
    if (entries_.size() >= limits.max_blobs) break;
    if (!layer.urls.empty() || layer.size < 0 || layer.size > limits.max_size) continue;
    if (!seen.insert(layer.digest.string()).second) continue;
    auto entry = std::make_unique<Entry>();
    entry->digest = layer.digest.string();
    entry->spool = std::async(std::launch::async, [this, layer, spool_dir] {
      auto spool = std::make_unique<SpoolFile>(spool_dir);
      // Bounded and verified here too, so that no more than the declared size reaches the disk.
      blob::VerifySink verify("layer " + layer.digest.string(), layer.digest, layer.size, *spool);
      StopCheckSink checked(stop_, verify);
      fetch_(layer, checked);
      verify.finish();
      return spool;
    });
    entries_.push_back(std::move(entry));
  }
}

BlobPrefetch::~BlobPrefetch() {
  stop_.store(true);
  for (auto& entry : entries_) {
    if (entry->spool.valid()) entry->spool.wait();
  }
}

BlobFetcher BlobPrefetch::fetcher() {
  return [this](const image::Descriptor& blob, ByteSink& sink) { serve(blob, sink); };
}

void BlobPrefetch::serve(const image::Descriptor& blob, ByteSink& sink) {
  Entry* found = nullptr;
  {
    std::lock_guard lock(mutex_);
    for (auto& entry : entries_) {
      if (!entry->taken && entry->digest == blob.digest.string()) {
        entry->taken = true;
        found = entry.get();
        break;
      }
    }
  }
  if (found == nullptr) {
    fetch_(blob, sink);
    return;
  }
  std::unique_ptr<SpoolFile> spool = found->spool.get();  // Rethrows the download's error.
  spool->copy_to(sink);
}

}  // namespace hocker::archive
