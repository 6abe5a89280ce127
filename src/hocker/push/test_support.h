// Helpers for the push unit tests: tar archives written in memory with libarchive's writer,
// layers and image configs to put in them, a descriptor that reads a string, and an in-memory
// registry repository. *_test.cc files only.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hocker/base/error.h"
#include "hocker/base/unique_fd.h"
#include "hocker/digest/digest.h"
#include "hocker/push/push_target.h"

namespace hocker::push::testing {

enum class Outer { kNone, kGzip, kZstd };

/// Tar members as (name, content) pairs.
using Members = std::vector<std::pair<std::string, std::string>>;

/// A tar of `members`, in order, optionally compressed whole.
inline std::string make_tar(const Members& members, Outer outer = Outer::kNone) {
  struct archive* writer = archive_write_new();
  archive_write_set_format_pax_restricted(writer);
  if (outer == Outer::kGzip) archive_write_add_filter_gzip(writer);
  if (outer == Outer::kZstd) archive_write_add_filter_zstd(writer);
  archive_write_set_bytes_in_last_block(writer, 1);
  std::vector<char> buffer(8u << 20);
  std::size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(writer, buffer.data(), buffer.size(), &used), ARCHIVE_OK);
  for (const auto& [name, content] : members) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    EXPECT_EQ(archive_write_header(writer, entry), ARCHIVE_OK);
    archive_write_data(writer, content.data(), content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return std::string(buffer.data(), used);
}

/// A small uncompressed layer whose one file's name and content depend on `seed`.
inline std::string layer_tar(int seed) {
  return make_tar(
      {{"file" + std::to_string(seed), std::string(5000 + seed, static_cast<char>('a' + seed))}});
}

/// An image config for linux on `architecture` whose diff_ids are the digests of `layers`.
inline std::string config_for(const std::vector<std::string>& layers,
                              const std::string& architecture = "amd64") {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& layer : layers) ids.push_back(digest::sha256(layer).string());
  return nlohmann::json{{"architecture", architecture},
                        {"os", "linux"},
                        {"rootfs", {{"type", "layers"}, {"diff_ids", ids}}}}
      .dump();
}

/// A readable descriptor positioned at the start of `content` (an anonymous memory file).
inline UniqueFd fd_reading(const std::string& content) {
  int fd = memfd_create("push-test", 0);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  lseek(fd, 0, SEEK_SET);
  return UniqueFd(fd);
}

/// An in-memory repository: blobs by digest, manifests by reference, and a log of calls.
class FakeTarget final : public PushTarget {
 public:
  class Upload final : public PushUpload {
   public:
    explicit Upload(FakeTarget& target) : target_(target) {}
    void write(Bytes data) override {
      bytes_.append(reinterpret_cast<const char*>(data.data()), data.size());
    }
    void finish() override {}
    void commit(const digest::Digest& digest) override {
      if (digest::sha256(bytes_) != digest) throw Error(ErrorKind::kIntegrity, "refused");
      std::lock_guard lock(target_.mutex);
      target_.blobs[digest.string()] = bytes_;
      target_.log.push_back("upload " + digest.string());
    }

   private:
    FakeTarget& target_;
    std::string bytes_;
  };

  std::string name() const override { return "fake/repo"; }
  bool has_blob(const digest::Digest& digest) override {
    std::lock_guard lock(mutex);
    log.push_back("head " + digest.string());
    return blobs.contains(digest.string());
  }
  bool mount_blob(const digest::Digest& digest, const std::string& repository) override {
    std::lock_guard lock(mutex);
    log.push_back("mount " + digest.string() + " from " + repository);
    return false;
  }
  std::unique_ptr<PushUpload> begin_upload() override { return std::make_unique<Upload>(*this); }
  void put_blob(const digest::Digest& digest, std::string_view content) override {
    std::lock_guard lock(mutex);
    blobs[digest.string()] = std::string(content);
    log.push_back("put " + digest.string());
  }
  digest::Digest put_manifest(const std::string& reference, std::string_view media_type,
                              std::string_view raw) override {
    manifests[reference] = {std::string(media_type), std::string(raw)};
    log.push_back("manifest " + reference);
    return digest::sha256(raw);
  }
  /// How many calls of `kind` ("upload", "put", "head", "manifest") the log holds.
  int count(const std::string& kind) const {
    int total = 0;
    for (const auto& line : log) total += line.starts_with(kind + " ") ? 1 : 0;
    return total;
  }

  std::mutex mutex;  // Layers may be pushed by several threads.
  std::map<std::string, std::string> blobs;
  std::map<std::string, std::pair<std::string, std::string>> manifests;
  std::vector<std::string> log;
};

}  // namespace hocker::push::testing
