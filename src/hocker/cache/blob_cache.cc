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

namespace hocker::cache {
namespace {

constexpr std::size_t kChunk = 256u << 10;

[[noreturn]] void fail(const std::string& what, int error_number) {
  throw Error(ErrorKind::kLocalIo, "cache: " + what + ": " + std::strerror(error_number));
}

void make_directories(const std::string& path) {
  std::string prefix;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    prefix = path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      fail("cannot create " + prefix, errno);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

// Streams `size` bytes of `fd` from offset 0 into `sink`.
void stream_file(int fd, std::int64_t size, ByteSink& sink, const std::string& what) {
  std::vector<std::byte> buffer(kChunk);
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

// Hashes what passes on its way to `next`.
class HashingSink final : public ByteSink {
 public:
  HashingSink(digest::Algorithm algorithm, ByteSink& next) : hasher_(algorithm), next_(next) {}
  void write(Bytes data) override {
    hasher_.update(data);
    next_.write(data);
  }
  void finish() override {}
  digest::Digest digest() { return hasher_.digest(); }

 private:
  digest::Hasher hasher_;
  ByteSink& next_;
};

digest::Digest file_digest(int fd, std::int64_t size, const std::string& what,
                           digest::Algorithm algorithm) {
  digest::Hasher hasher(algorithm);
  stream_file(fd, size, hasher, what);
  return hasher.digest();
}

// Disk rot or tampering: the entry goes, so the next run fetches the blob anew.
[[noreturn]] void discard_corrupt(const std::string& path, const std::string& why) {
  ::unlink(path.c_str());
  throw Error(ErrorKind::kIntegrity, "cached blob " + path + " is corrupt (" + why +
                                         "); it was removed, run again to fetch it anew");
}

}  // namespace

BlobCache::BlobCache(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  make_directories(root_ + "/blobs/sha256");
  make_directories(root_ + "/blobs/sha512");
  make_directories(root_ + "/partial/sha256");
  make_directories(root_ + "/partial/sha512");
}

// Digest::hex() is validated lowercase hex, so these paths cannot escape the cache.
std::string BlobCache::blob_path(const digest::Digest& digest) const {
  return root_ + "/blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

std::string BlobCache::partial_path(const digest::Digest& digest) const {
  return root_ + "/partial/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

std::optional<std::string> BlobCache::find(const digest::Digest& digest) const {
  std::string path = blob_path(digest);
  if (::access(path.c_str(), R_OK) == 0) return path;
  return std::nullopt;
}

bool BlobCache::read(const digest::Digest& digest, ByteSink& sink) const {
  std::string path = blob_path(digest);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat info {};
  ::fstat(fd, &info);
  HashingSink hashing(digest.algorithm(), sink);
  try {
    stream_file(fd, info.st_size, hashing, path);
  } catch (const Error& error) {
    // The consumer found the bytes bad (a corrupt gzip stream, a wrong diff_id): blame the
    // cache only when the entry itself no longer matches its name.
    if (error.kind() == ErrorKind::kIntegrity &&
        file_digest(fd, info.st_size, path, digest.algorithm()) != digest) {
      ::close(fd);
      discard_corrupt(path, error.what());
    }
    ::close(fd);
    throw;
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (digest::Digest actual = hashing.digest(); actual != digest) {
    discard_corrupt(path, "digest mismatch: got " + actual.string());
  }
  return true;
}

std::unique_ptr<BlobWriter> BlobCache::begin(const digest::Digest& digest,
                                             std::int64_t expected_size) {
  std::string partial = partial_path(digest);
  int fd = ::open(partial.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open " + partial, errno);
  // Another process downloading the same blob holds the lock: wait for it, then look again.
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      int saved = errno;
      ::close(fd);
      fail("cannot lock " + partial, saved);
    }
  }
  if (find(digest)) {
    ::unlink(partial.c_str());  // Left empty by our open(); nobody else writes it now.
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<BlobWriter>(fd, partial, blob_path(digest), digest, expected_size);
}

BlobWriter::BlobWriter(int fd, std::string partial_path, std::string final_path,
                       digest::Digest digest, std::int64_t expected_size)
    : fd_(fd),
      partial_path_(std::move(partial_path)),
      final_path_(std::move(final_path)),
      digest_(std::move(digest)),
      expected_size_(expected_size),
      hasher_(digest_.algorithm()) {
  struct stat info {};
  if (::fstat(fd_, &info) == 0) stored_ = info.st_size;
  // A partial file longer than the blob cannot be a prefix of it.
  if (expected_size_ >= 0 && stored_ > expected_size_) {
    if (::ftruncate(fd_, 0) != 0) fail("cannot truncate " + partial_path_, errno);
    stored_ = 0;
  }
  if (::lseek(fd_, stored_, SEEK_SET) < 0) fail("cannot seek in " + partial_path_, errno);
}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) ::close(fd_);  // Closing releases the lock.
}

void BlobWriter::replay(ByteSink& sink) {
  class Tee final : public ByteSink {
   public:
    Tee(digest::Hasher& hasher, ByteSink& next) : hasher_(hasher), next_(next) {}
    void write(Bytes data) override {
      hasher_.update(data);
      next_.write(data);
    }
    void finish() override {}

   private:
    digest::Hasher& hasher_;
    ByteSink& next_;
  } tee(hasher_, sink);
  stream_file(fd_, stored_, tee, partial_path_);
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
  write_all(fd_, data, partial_path_);
  hasher_.update(data);
  stored_ += static_cast<std::int64_t>(data.size());
}

void BlobWriter::commit() {
  digest::Digest actual = hasher_.digest();
  bool size_ok = expected_size_ < 0 || stored_ == expected_size_;
  if (actual != digest_ || !size_ok) {
    ::unlink(partial_path_.c_str());
    // Worded like an uncached pull's error: these bytes came from the registry just now (or a
    // resumed partial), so the cache is not what to blame.
    std::string what = "blob " + digest_.string() + ": ";
    throw Error(ErrorKind::kIntegrity, size_ok ? what + "digest mismatch: expected " +
                                                     digest_.string() + ", got " + actual.string()
                                               : what + "size mismatch: expected " +
                                                     std::to_string(expected_size_) +
                                                     " bytes, got " + std::to_string(stored_));
  }
  if (::rename(partial_path_.c_str(), final_path_.c_str()) != 0) {
    fail("cannot move " + partial_path_ + " into place", errno);
  }
}

void BlobWriter::discard() {
  // Like commit() on a mismatch: the name goes, and our descriptor keeps the lock until closed.
  ::unlink(partial_path_.c_str());
}

std::optional<std::string> cache_directory(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* environment = std::getenv("HOCKER_CACHE");
  if (environment != nullptr && *environment != '\0') return std::string(environment);
  return std::nullopt;
}

}  // namespace hocker::cache
