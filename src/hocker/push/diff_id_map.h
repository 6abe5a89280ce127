// The local memory of past pushes: which compressed blob a layer (known by its diff_id) became
// under each compression, so that pushing the same image again can ask the registry with a
// HEAD instead of compressing anything. A small text file in the cache directory.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "hocker/digest/digest.h"
#include "hocker/push/layer_encoder.h"

namespace hocker::push {

/// diff_id + compression → the compressed blob's digest and size. find() and record() are
/// thread-safe (layers are pushed by several threads); load() and save() are not.
class DiffIdMap {
 public:
  struct Blob {
    digest::Digest digest;
    std::int64_t size = 0;
  };

  /// An empty map that save() writes to `path` (nothing is read).
  explicit DiffIdMap(std::string path) : path_(std::move(path)) {}
  /// The map stored at `path` (empty when the file is missing). Lines that do not parse are
  /// ignored: the map is only a hint, every blob it names is checked with the registry.
  /// Throws Error(kLocalIo) when the file exists but cannot be read.
  static DiffIdMap load(const std::string& path);

  std::optional<Blob> find(const digest::Digest& diff_id, Compression compression) const;
  void record(const digest::Digest& diff_id, Compression compression, Blob blob);
  /// Writes the map atomically (a temporary beside it, renamed over it), mode 0600, when
  /// something was recorded since loading. Throws Error(kLocalIo).
  void save();

  /// The text save() writes: one line per entry, "<diff_id> <gzip|zstd> <digest> <size>",
  /// sorted.
  std::string serialise() const;

 private:
  using Key = std::pair<std::string, Compression>;
  std::string path_;
  std::map<Key, Blob> entries_;
  std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();  // Keeps the map movable.
  bool changed_ = false;
};

/// Where the map lives in the cache directory `cache_root`.
std::string diff_id_map_path(const std::string& cache_root);

}  // namespace hocker::push
