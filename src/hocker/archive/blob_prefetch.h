// Latency hiding for small layers: the registry takes milliseconds to answer each blob request,
// and the layers cannot be placed in the archive before the configuration (their names are its
// diff_ids) has arrived. So while the configuration is fetched, the first few small layers are
// already downloading into anonymous spool files; the archive writer then reads them from there
// and verifies them as it verifies every blob. Large layers are left to stream as usual.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hocker/archive/image_source.h"
#include "hocker/archive/spool_file.h"

namespace hocker::archive {

struct PrefetchLimits {
  std::size_t max_blobs = 3;                      ///< Downloads started ahead, at most.
  std::int64_t max_size = std::int64_t{8} << 20;  ///< Only blobs of at most this size (bytes).
};

class BlobPrefetch {
 public:
  /// Starts fetching, each on its own thread, the first distinct registry layers (no foreign
  /// URLs) of at most limits.max_size bytes, up to limits.max_blobs of them, into spool files in
  /// `spool_dir`.
  BlobPrefetch(const std::vector<image::Descriptor>& layers, BlobFetcher fetch,
               const std::string& spool_dir, PrefetchLimits limits = {});
  /// Stops the downloads still running (at their next chunk) and waits for them.
  ~BlobPrefetch();
  BlobPrefetch(const BlobPrefetch&) = delete;
  BlobPrefetch& operator=(const BlobPrefetch&) = delete;

  /// A fetcher for ImageSource: a prefetched blob is served from its spool file once its
  /// download is done (a failed download rethrows its error); any other blob, or one asked
  /// for a second time, goes to the underlying fetcher. Safe to call from several threads.
  BlobFetcher fetcher();
  /// How many downloads were started ahead.
  std::size_t started() const { return entries_.size(); }

 private:
  struct Entry {
    std::string digest;
    std::future<std::unique_ptr<SpoolFile>> spool;
    bool taken = false;  // Guarded by mutex_.
  };
  void serve(const image::Descriptor& blob, ByteSink& sink);

  BlobFetcher fetch_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace hocker::archive
