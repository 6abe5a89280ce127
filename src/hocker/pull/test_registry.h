// Helpers for the pull unit tests: a registry on the in-tree test HTTP server serving the
// manifests and blobs of one repository (Range requests honoured, every request recorded, a
// transfer cut short on demand), a client for it, a scratch blob cache, and small documents.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hocker/auth/authenticator.h"
#include "hocker/base/error.h"
#include "hocker/base/test_support.h"
#include "hocker/cache/blob_cache.h"
#include "hocker/digest/digest.h"
#include "hocker/http/test_server.h"
#include "hocker/image/descriptor.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/client.h"

namespace hocker::pull::testing {

using http::testing::ServerConnection;
using http::testing::ServerRequest;

inline constexpr const char* kRepository = "team/app";

/// Serves /v2/team/app/manifests/<identifier> and /v2/team/app/blobs/<digest>; 404 otherwise.
class TestRegistry {
 public:
  TestRegistry() : server_([this](const ServerRequest& r, ServerConnection& c) { serve(r, c); }) {
    registry::ClientOptions options;
    options.plain_http = true;
    options.retry.attempts = 1;  // A cut transfer fails at once, as after the last retry.
    ref::Registry registry{"127.0.0.1:" + std::to_string(server_.port()), "http"};
    client_ = std::make_unique<registry::Client>(
        registry, std::make_shared<auth::Authenticator>(auth::Credentials{}, registry.domain),
        std::move(options));
  }

  /// Serves `content` as a blob; returns its descriptor.
  image::Descriptor add_blob(const std::string& content,
                             std::string media_type = "application/octet-stream") {
    image::Descriptor blob{std::move(media_type),
                           digest::sha256(content),
                           static_cast<std::int64_t>(content.size()),
                           {},
                           {},
                           {}};
    put("/v2/team/app/blobs/" + blob.digest.string(), content, "application/octet-stream");
    return blob;
  }
  /// Serves `content` at `path` (a blob that does not match its digest, a foreign URL...).
  void put(const std::string& path, const std::string& content, const std::string& type) {
    std::lock_guard lock(mutex_);
    documents_[path] = {content, type};
  }
  void add_manifest(const std::string& identifier, const std::string& raw,
                    const std::string& content_type) {
    put("/v2/team/app/manifests/" + identifier, raw, content_type);
  }
  /// The next GET of `path` announces the whole body but sends only `bytes` of it, then closes.
  void cut_after(const std::string& path, std::size_t bytes) {
    std::lock_guard lock(mutex_);
    cuts_[path] = bytes;
  }

  /// Every later HEAD is answered with `status` (a CDN whose signed URLs are for GET only).
  void refuse_head(int status) {
    std::lock_guard lock(mutex_);
    head_status_ = status;
  }

  registry::Client& client() { return *client_; }
  std::string url(const std::string& path) const { return server_.url(path); }
  ref::Reference reference(const std::string& tag) const {
    return ref::Reference::parse(client_->registry().domain + "/" + kRepository + ":" + tag);
  }
  /// The request targets received so far, in order.
  std::vector<std::string> targets() const {
    std::vector<std::string> targets;
    for (const ServerRequest& request : server_.requests()) targets.push_back(request.target);
    return targets;
  }
  std::vector<ServerRequest> requests() const { return server_.requests(); }

 private:
  struct Document {
    std::string body;
    std::string type;
  };

  void serve(const ServerRequest& request, ServerConnection& connection) {
    std::unique_lock lock(mutex_);
    if (request.method == "HEAD" && head_status_ != 0) {
      int status = head_status_;
      lock.unlock();
      connection.respond(status, "");
      return;
    }
    auto found = documents_.find(request.target);
    if (found == documents_.end()) {
      lock.unlock();
      connection.respond(404, R"({"errors":[{"code":"BLOB_UNKNOWN","message":"unknown"}]})");
      return;
    }
    Document document = found->second;
    std::optional<std::size_t> cut;
    if (auto c = cuts_.find(request.target); c != cuts_.end()) {
      cut = c->second;
      cuts_.erase(c);
    }
    lock.unlock();
    int status = 200;
    std::string body = document.body;
    if (auto range = request.headers.get("Range"); range && range->starts_with("bytes=")) {
      std::size_t start = std::stoul(range->substr(6));
      status = 206;
      body = body.substr(std::min(start, body.size()));
    }
    if (!cut) {
      connection.respond(status, body, {{"Content-Type", document.type}});
      return;
    }
    connection.send("HTTP/1.1 " + std::to_string(status) +
                    " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    connection.send(std::string_view(body).substr(0, *cut));
    connection.close_after();
  }

  mutable std::mutex mutex_;
  std::map<std::string, Document> documents_;
  std::map<std::string, std::size_t> cuts_;
  int head_status_ = 0;  // Non-zero: every HEAD is answered with it.
  http::testing::TestServer server_;
  std::unique_ptr<registry::Client> client_;
};

/// A blob cache in a fresh directory, removed afterwards.
class ScratchCache {
 public:
  ScratchCache()
      : root_(std::filesystem::temp_directory_path() /
              ("hocker-pull-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(root_);
    cache_ = std::make_unique<cache::BlobCache>(root_.string());
  }
  ~ScratchCache() { std::filesystem::remove_all(root_); }
  cache::BlobCache* get() { return cache_.get(); }
  cache::BlobCache& operator*() { return *cache_; }

  /// Leaves the first `bytes` of `content` as the partial file of an interrupted download.
  void leave_partial(const image::Descriptor& blob, const std::string& content, std::size_t bytes) {
    auto writer = cache_->begin(blob.digest, blob.size);
    writer->write(as_bytes(content.data(), bytes));
  }
  /// Stores `content` whole, as a finished download does.
  void store(const image::Descriptor& blob, const std::string& content) {
    auto writer = cache_->begin(blob.digest, blob.size);
    writer->write(as_bytes(content.data(), content.size()));
    writer->commit();
  }
  /// Bytes a new download of `blob` would resume after (0: no partial file).
  std::int64_t partial_bytes(const image::Descriptor& blob) {
    auto writer = cache_->begin(blob.digest, blob.size);
    return writer ? writer->offset() : -1;
  }

 private:
  std::filesystem::path root_;
  std::unique_ptr<cache::BlobCache> cache_;
};

using hocker::test_support::kind_of;

/// Pseudo-random bytes, the same for the same seed.
inline std::string blob_content(unsigned seed, std::size_t size) {
  std::string content(size, '\0');
  unsigned state = seed;
  for (char& c : content) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 16);
  }
  return content;
}

}  // namespace hocker::pull::testing
