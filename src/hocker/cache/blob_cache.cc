#include "hocker/cache/blob_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"
#include "hocker/base/tee_sink.h"
#include "hocker/cache/private_files.h"

namespace hocker::cache {
namespace {

[[noreturn]] void fail(const std::string& what, int error_number) {
  throw Error(ErrorKind::kLocalIo, "cache: " + what + ": " + std::strerror(error_number));
}

// Streams `size` bytes of `fd` from offset 0 into `sink`.
void stream_file(int fd, std::int64_t size, ByteSink& sink, const std::string& what) {
  std::vector<std::byte> buffer(kChunkSize);
  std::int64_t offset = 0;
  while (offset < size) {
    ssize_t got = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("cannot read " + what, errno);
    if (got == 0) break;
    sink.write(Bytes(buffer.data(), static_cast<std::size_t>(got)));
    offset += got;
  }
}

digest::Digest file_digest(int fd, std::int64_t size, const std::string& what,
                           digest::Algorithm algorithm) {
  digest::Hasher hasher(algorithm);
  stream_file(fd, size, hasher, what);
  return hasher.digest();
}

// Disk rot or tampering: the entry goes, so the next run fetches the blob anew.
[[noreturn]] void discard_corrupt(const CacheEntry& entry, const std::string& why) {
  ::unlinkat(entry.folder, entry.name.c_str(), 0);
  throw Error(ErrorKind::kIntegrity, "cached blob " + entry.path + " is corrupt (" + why +
                                         "); it was removed, run again to fetch it anew");
}

std::string algorithm_folder(const digest::Digest& digest) {
  return std::string(digest.algorithm_name());
}

std::size_t index_of(const digest::Digest& digest) {
  return digest.algorithm() == digest::Algorithm::kSha256 ? 0 : 1;
}

// Runs that resumed an unsized partial file without completing it, counted in a file beside
// it: a registry that streams without end would otherwise grow it on every run.
std::string resumes_name(const CacheEntry& partial) {
  return partial.name + ".resumes";
}

int count_resume(const CacheEntry& partial) {
  std::string name = resumes_name(partial);
  UniqueFd counter =
      open_private_file(partial.folder, name, O_RDWR, Create::kYes, partial.path + ".resumes");
  char text[16] = {};
  ssize_t got = ::pread(counter.get(), text, sizeof text - 1, 0);
  int resumes = (got > 0 ? std::atoi(text) : 0) + 1;
  std::string updated = std::to_string(resumes);
  if (::ftruncate(counter.get(), 0) != 0 ||
      ::pwrite(counter.get(), updated.data(), updated.size(), 0) < 0) {
    fail("cannot write " + partial.path + ".resumes", errno);
  }
  return resumes;
}

void forget_resumes(const CacheEntry& partial) {
  ::unlinkat(partial.folder, resumes_name(partial).c_str(), 0);
}

}  // namespace

BlobCache::BlobCache(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  root_fd_ = open_private_root(root_);
  UniqueFd blobs = open_private_folder(root_fd_.get(), "blobs", root_ + "/blobs");
  UniqueFd partial = open_private_folder(root_fd_.get(), "partial", root_ + "/partial");
  const char* algorithms[] = {"sha256", "sha512"};
  for (std::size_t i = 0; i < 2; ++i) {
    std::string name = algorithms[i];
    blobs_[i] = open_private_folder(blobs.get(), name, root_ + "/blobs/" + name);
    partials_[i] = open_private_folder(partial.get(), name, root_ + "/partial/" + name);
  }
}

// Digest::hex() is validated lowercase hex, so these names cannot escape their folders.
CacheEntry BlobCache::blob_entry(const digest::Digest& digest) const {
  return {blobs_[index_of(digest)].get(), digest.hex(),
          root_ + "/blobs/" + algorithm_folder(digest) + "/" + digest.hex()};
}

CacheEntry BlobCache::partial_entry(const digest::Digest& digest) const {
  return {partials_[index_of(digest)].get(), digest.hex(),
          root_ + "/partial/" + algorithm_folder(digest) + "/" + digest.hex()};
}

std::optional<std::string> BlobCache::find(const digest::Digest& digest) const {
  CacheEntry entry = blob_entry(digest);
  if (is_private_file(entry.folder, entry.name)) return entry.path;
  return std::nullopt;
}

bool BlobCache::read(const digest::Digest& digest, ByteSink& sink,
                     std::int64_t expected_size) const {
  CacheEntry entry = blob_entry(digest);
  UniqueFd file = open_private_file(entry.folder, entry.name, O_RDONLY, Create::kNo, entry.path);
  if (!file) return false;
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) fail("cannot inspect " + entry.path, errno);
  // Verified whole before the first byte goes out: a consumer such as `hocker layer -o -`
  // cannot take bytes back. Reading twice costs little, the second pass is page-cached.
  if (digest::Digest actual = file_digest(file.get(), info.st_size, entry.path, digest.algorithm());
      actual != digest) {
    discard_corrupt(entry, "digest mismatch: got " + actual.string());
  }
  if (expected_size >= 0 && info.st_size != expected_size) {
    // The entry matches its name, so the descriptor is what is wrong, as in an uncached pull.
    throw Error(ErrorKind::kIntegrity, "blob " + digest.string() + ": size mismatch: expected " +
                                           std::to_string(expected_size) + " bytes, got " +
                                           std::to_string(info.st_size));
  }
  digest::Hasher hasher(digest.algorithm());
  TeeSink hashing(hasher, sink, TeeFinish::kKeepOpen);
  stream_file(file.get(), info.st_size, hashing, entry.path);
  if (digest::Digest actual = hasher.digest(); actual != digest) {  // Changed while streaming.
    discard_corrupt(entry, "digest mismatch: got " + actual.string());
  }
  return true;
}

std::unique_ptr<BlobWriter> BlobCache::begin(const digest::Digest& digest,
                                             std::int64_t expected_size) {
  CacheEntry partial = partial_entry(digest);
  UniqueFd file =
      open_private_file(partial.folder, partial.name, O_RDWR, Create::kYes, partial.path);
  // Another process downloading the same blob holds the lock: wait for it, then look again.
  while (::flock(file.get(), LOCK_EX) != 0) {
    if (errno != EINTR) fail("cannot lock " + partial.path, errno);
  }
  if (find(digest)) {
    // Left empty by our open(); nobody else writes it now.
    ::unlinkat(partial.folder, partial.name.c_str(), 0);
    forget_resumes(partial);
    return nullptr;
  }
  return std::make_unique<BlobWriter>(std::move(file), partial, blob_entry(digest), digest,
                                      expected_size);
}

BlobWriter::BlobWriter(UniqueFd file, CacheEntry partial, CacheEntry blob, digest::Digest digest,
                       std::int64_t expected_size)
    : file_(std::move(file)),
      partial_(std::move(partial)),
      blob_(std::move(blob)),
      digest_(std::move(digest)),
      expected_size_(expected_size),
      hasher_(digest_.algorithm()) {
  struct stat info {};
  if (::fstat(file_.get(), &info) == 0) stored_ = info.st_size;
  // A partial file longer than the blob cannot be a prefix of it; one of unknown size that
  // run after run did not complete is not worth resuming again.
  bool too_long = expected_size_ >= 0 && stored_ > expected_size_;
  bool worn_out = expected_size_ < 0 && stored_ > 0 && count_resume(partial_) > kMaxUnsizedResumes;
  if (too_long || worn_out) {
    if (::ftruncate(file_.get(), 0) != 0) fail("cannot truncate " + partial_.path, errno);
    stored_ = 0;
    forget_resumes(partial_);
  }
  if (::lseek(file_.get(), stored_, SEEK_SET) < 0) fail("cannot seek in " + partial_.path, errno);
}

void BlobWriter::replay(ByteSink& sink) {
  TeeSink tee(hasher_, sink, TeeFinish::kKeepOpen);
  stream_file(file_.get(), stored_, tee, partial_.path);
  replayed_ = true;
}

bool BlobWriter::holds_whole_blob() const {
  if (stored_ == 0) return false;
  if (expected_size_ >= 0) return stored_ == expected_size_;
  return replayed_ && hasher_.clone().digest() == digest_;
}

void BlobWriter::write(Bytes data) {
  if (!replayed_ && stored_ > 0) {
    throw Error(ErrorKind::kInternal, "cache: replay() must precede write() when resuming");
  }
  replayed_ = true;
  auto size = static_cast<std::int64_t>(data.size());
  if (expected_size_ >= 0 && stored_ + size > expected_size_) {
    // Refused before it reaches the disk: the partial file stays a possible prefix.
    throw Error(ErrorKind::kIntegrity, "blob " + digest_.string() + ": size mismatch: expected " +
                                           std::to_string(expected_size_) + " bytes, got more");
  }
  write_all(file_.get(), data, partial_.path);
  hasher_.update(data);
  stored_ += size;
}

void BlobWriter::commit() {
  digest::Digest actual = hasher_.digest();
  bool size_ok = expected_size_ < 0 || stored_ == expected_size_;
  if (actual != digest_ || !size_ok) {
    forget_partial();
    // Worded like an uncached pull's error: these bytes came from the registry just now (or a
    // resumed partial), so the cache is not what to blame.
    std::string what = "blob " + digest_.string() + ": ";
    throw Error(ErrorKind::kIntegrity, size_ok ? what + "digest mismatch: expected " +
                                                     digest_.string() + ", got " + actual.string()
                                               : what + "size mismatch: expected " +
                                                     std::to_string(expected_size_) +
                                                     " bytes, got " + std::to_string(stored_));
  }
  // Partial files of older versions were created 0644.
  if (::fchmod(file_.get(), 0600) != 0) fail("cannot set the mode of " + partial_.path, errno);
  if (::renameat(partial_.folder, partial_.name.c_str(), blob_.folder, blob_.name.c_str()) != 0) {
    fail("cannot move " + partial_.path + " into place", errno);
  }
  forget_resumes(partial_);
}

void BlobWriter::discard() {
  forget_partial();
}

void BlobWriter::forget_partial() {
  // The name goes, and our descriptor keeps the lock until closed.
  ::unlinkat(partial_.folder, partial_.name.c_str(), 0);
  forget_resumes(partial_);
}

std::optional<std::string> cache_directory(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* environment = std::getenv("HOCKER_CACHE");
  if (environment != nullptr && *environment != '\0') return std::string(environment);
  return std::nullopt;
}

}  // namespace hocker::cache
