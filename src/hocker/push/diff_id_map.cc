// DiffIdMap: a line-oriented file, parsed leniently (a damaged line only costs a compression)
// and replaced atomically, so concurrent pushes never see half a file.
#include "hocker/push/diff_id_map.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"

namespace hocker::push {

namespace {

constexpr std::size_t kMaxEntries = 100000;

std::optional<Compression> compression_from(const std::string& name) {
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  return std::nullopt;
}

}  // namespace

std::string diff_id_map_path(const std::string& cache_root) {
  return cache_root + "/push-diff-ids";
}

DiffIdMap DiffIdMap::load(const std::string& path) {
  DiffIdMap map(path);
  std::ifstream file(path);
  if (!file) {
    if (errno == ENOENT) return map;
    throw Error(ErrorKind::kLocalIo, "cannot read " + path);
  }
  std::string line;
  while (std::getline(file, line) && map.entries_.size() < kMaxEntries) {
    std::istringstream fields(line);
    std::string diff_id, kind, digest;
    std::int64_t size = -1;
    if (!(fields >> diff_id >> kind >> digest >> size) || size < 0) continue;
    auto parsed_diff_id = digest::Digest::try_parse(diff_id);
    auto parsed_digest = digest::Digest::try_parse(digest);
    auto compression = compression_from(kind);
    if (!parsed_diff_id || !parsed_digest || !compression) continue;
    map.entries_.insert_or_assign({parsed_diff_id->string(), *compression},
                                  Blob{*parsed_digest, size});
  }
  return map;
}

std::optional<DiffIdMap::Blob> DiffIdMap::find(const digest::Digest& diff_id,
                                               Compression compression) const {
  std::lock_guard lock(*mutex_);
  auto found = entries_.find({diff_id.string(), compression});
  if (found == entries_.end()) return std::nullopt;
  return found->second;
}

void DiffIdMap::record(const digest::Digest& diff_id, Compression compression, Blob blob) {
  if (compression == Compression::kNone) return;
  std::lock_guard lock(*mutex_);
  entries_.insert_or_assign({diff_id.string(), compression}, blob);
  changed_ = true;
}

std::string DiffIdMap::serialise() const {
  std::string text;
  for (const auto& [key, blob] : entries_) {
    text += key.first + " " + std::string(compression_name(key.second)) + " " +
            blob.digest.string() + " " + std::to_string(blob.size) + "\n";
  }
  return text;
}

void DiffIdMap::save() {
  if (!changed_) return;
  std::string text = serialise();
  AtomicFile file(path_);
  file.write(as_bytes(text.data(), text.size()));
  file.commit();
  if (::chmod(path_.c_str(), 0600) != 0) {
    throw Error(ErrorKind::kLocalIo, "cannot restrict the mode of " + path_);
  }
  changed_ = false;
}

}  // namespace hocker::push
