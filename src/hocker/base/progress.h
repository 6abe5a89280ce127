// How the library reports progress without printing: the CLI implements the observer (plain
// log lines or a live terminal display); the library stays silent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hocker {

/// Receives progress of an image pull. Methods are called from worker threads, possibly
/// concurrently: implementations synchronise themselves. Default implementations ignore.
class ProgressObserver {
 public:
  virtual ~ProgressObserver() = default;
  /// The layer downloads are about to begin: `layers` blobs, `total_bytes` compressed in all.
  virtual void image_started(std::size_t layers, std::int64_t total_bytes) {
    (void)layers, (void)total_bytes;
  }
  /// Layer `index` (manifest order) begins downloading; `size` is its compressed size.
  virtual void layer_started(std::size_t index, const std::string& digest, std::int64_t size) {
    (void)index, (void)digest, (void)size;
  }
  /// `bytes` more compressed bytes of layer `index` arrived.
  virtual void layer_progress(std::size_t index, std::int64_t bytes) { (void)index, (void)bytes; }
  /// Layer `index` is verified and written; `written` names what went into the archive (the
  /// diff_id for a decompressed layer, the blob digest otherwise), `decompressed` whether the
  /// blob was decompressed on the way.
  virtual void layer_finished(std::size_t index, const std::string& written, bool decompressed) {
    (void)index, (void)written, (void)decompressed;
  }
};

}  // namespace hocker
