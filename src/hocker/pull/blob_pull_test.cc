#include "hocker/pull/blob_pull.h"

#include <gtest/gtest.h>

#include "hocker/blob/sinks.h"
#include "hocker/image/media_types.h"
#include "hocker/pull/test_registry.h"

namespace hocker::pull {
namespace {

using testing::blob_content;
using testing::kind_of;
using testing::ScratchCache;
using testing::TestRegistry;

std::string blob_path(const image::Descriptor& blob) {
  return "/v2/team/app/blobs/" + blob.digest.string();
}

std::string pull_blob(TestRegistry& registry, const image::Descriptor& blob,
                      cache::BlobCache* cache) {
  blob::StringSink sink;
  fetch_blob(registry.client(), testing::kRepository, blob, sink, cache);
  return sink.data();
}

/// Passes bytes on until `limit` have passed, then refuses, as a failing gunzip would.
class RefusingSink final : public ByteSink {
 public:
  explicit RefusingSink(std::size_t limit) : limit_(limit) {}
  void write(Bytes data) override {
    received_ += data.size();
    if (received_ > limit_) throw Error(ErrorKind::kIntegrity, "refused downstream");
  }
  void finish() override {}

 private:
  std::size_t limit_;
  std::size_t received_ = 0;
};

TEST(PullBlob, StreamsFromTheRegistryWithoutACache) {
  TestRegistry registry;
  std::string content = blob_content(1, 100'000);
  image::Descriptor blob = registry.add_blob(content);
  EXPECT_EQ(pull_blob(registry, blob, nullptr), content);
  EXPECT_EQ(registry.targets(), std::vector<std::string>{blob_path(blob)});
}

TEST(PullBlob, StoresWhatItFetchesInTheCache) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(2, 50'000);
  image::Descriptor blob = registry.add_blob(content);
  EXPECT_EQ(pull_blob(registry, blob, cache.get()), content);
  ASSERT_TRUE((*cache).find(blob.digest).has_value());
  EXPECT_EQ(registry.targets().size(), 1u);
}

TEST(PullBlob, ReadsFromCacheWithoutARequest) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(3, 30'000);
  image::Descriptor blob = registry.add_blob(content);
  cache.store(blob, content);
  EXPECT_EQ(pull_blob(registry, blob, cache.get()), content);
  EXPECT_TRUE(registry.targets().empty());
}

TEST(PullBlob, ResumesPartialWithRange) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(4, 80'000);
  image::Descriptor blob = registry.add_blob(content);
  cache.leave_partial(blob, content, 30'000);
  EXPECT_EQ(pull_blob(registry, blob, cache.get()), content);
  auto requests = registry.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.get("Range").value_or("none"), "bytes=30000-");
  EXPECT_TRUE((*cache).find(blob.digest).has_value());
}

TEST(PullBlob, SkipsRequestWhenPartialIsWhole) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(5, 20'000);
  image::Descriptor blob = registry.add_blob(content);
  cache.leave_partial(blob, content, content.size());
  EXPECT_EQ(pull_blob(registry, blob, cache.get()), content);
  EXPECT_TRUE(registry.targets().empty());
  EXPECT_TRUE((*cache).find(blob.digest).has_value());
}

TEST(PullBlob, DiscardsPartialOnIntegrityError) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(6, 200'000);
  image::Descriptor blob = registry.add_blob(content);
  RefusingSink refusing(100'000);
  EXPECT_EQ(kind_of([&] {
              fetch_blob(registry.client(), testing::kRepository, blob, refusing, cache.get());
            }),
            ErrorKind::kIntegrity);
  EXPECT_EQ(cache.partial_bytes(blob), 0);
}

TEST(PullBlob, KeepsPartialOnNetworkError) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(8, 300'000);
  image::Descriptor blob = registry.add_blob(content);
  registry.cut_after(blob_path(blob), 120'000);
  std::string message;
  ErrorKind kind = kind_of([&] { pull_blob(registry, blob, cache.get()); }, &message);
  EXPECT_NE(kind, ErrorKind::kIntegrity) << message;
  EXPECT_NE(kind, ErrorKind::kFormat) << message;
  EXPECT_EQ(cache.partial_bytes(blob), 120'000);
  // The next pull resumes where the cut left off and completes the entry.
  EXPECT_EQ(pull_blob(registry, blob, cache.get()), content);
  EXPECT_EQ(registry.requests().back().headers.get("Range").value_or("none"), "bytes=120000-");
}

image::Manifest manifest_with_config(const image::Descriptor& config) {
  return image::Manifest::parse(
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":")" +
      config.digest.string() + R"(","size":)" + std::to_string(config.size) + R"(},"layers":[]})");
}

constexpr const char* kConfig =
    R"({"os":"linux","architecture":"amd64","rootfs":{"type":"layers"}})";

TEST(PullConfig, WithoutACacheMakesOneVerifiedRequest) {
  TestRegistry registry;
  image::Descriptor descriptor = registry.add_blob(kConfig);
  image::ImageConfig config = fetch_config(registry.client(), testing::kRepository,
                                           manifest_with_config(descriptor), nullptr);
  EXPECT_EQ(config.raw(), kConfig);
  EXPECT_EQ(config.os(), "linux");
  EXPECT_EQ(registry.targets().size(), 1u);
}

TEST(PullConfig, IsFetchedOnceThenServedFromTheCache) {
  TestRegistry registry;
  ScratchCache cache;
  image::Descriptor descriptor = registry.add_blob(kConfig);
  image::Manifest manifest = manifest_with_config(descriptor);
  for (int i = 0; i < 2; ++i) {
    image::ImageConfig config =
        fetch_config(registry.client(), testing::kRepository, manifest, cache.get());
    EXPECT_EQ(config.raw(), kConfig);
  }
  EXPECT_EQ(registry.targets().size(), 1u);
}

TEST(PullConfig, RefusesBytesThatDoNotMatchTheDigestWithOrWithoutACache) {
  for (bool cached : {false, true}) {
    SCOPED_TRACE(cached ? "cache" : "no cache");
    TestRegistry registry;
    ScratchCache cache;
    image::Descriptor descriptor = registry.add_blob(kConfig);
    std::string forged = kConfig;
    forged[forged.find("amd64")] = 'A';
    registry.put(blob_path(descriptor), forged, "application/octet-stream");
    std::string message;
    EXPECT_EQ(kind_of(
                  [&] {
                    fetch_config(registry.client(), testing::kRepository,
                                 manifest_with_config(descriptor), cached ? cache.get() : nullptr);
                  },
                  &message),
              ErrorKind::kIntegrity);
    // Named as the registry client, or the cache entry's commit, names it.
    EXPECT_EQ(message.rfind("blob " + descriptor.digest.string() + ": digest mismatch", 0), 0u)
        << message;
    EXPECT_FALSE((*cache).find(descriptor.digest).has_value());
  }
}

TEST(PullConfig, RefusesAnOversizedDeclarationBeforeAnyRequest) {
  for (bool cached : {false, true}) {
    SCOPED_TRACE(cached ? "cache" : "no cache");
    TestRegistry registry;
    ScratchCache cache;
    image::Descriptor descriptor = registry.add_blob(kConfig);
    descriptor.size = static_cast<std::int64_t>(image::kMaxConfigSize) + 1;
    std::string message;
    EXPECT_EQ(kind_of(
                  [&] {
                    fetch_config(registry.client(), testing::kRepository,
                                 manifest_with_config(descriptor), cached ? cache.get() : nullptr);
                  },
                  &message),
              ErrorKind::kFormat);
    std::string subject = (cached ? "config " : "blob ") + descriptor.digest.string();
    EXPECT_EQ(message.rfind(subject + ": declared size", 0), 0u) << message;
    EXPECT_TRUE(registry.targets().empty());
  }
}

TEST(PullLayer, VerifiesTheDigestBeforeFinishing) {
  TestRegistry registry;
  std::string content = blob_content(9, 10'000);
  image::Descriptor blob = registry.add_blob(content);
  blob::StringSink sink;
  fetch_layer(registry.client(), testing::kRepository, blob.digest, sink, nullptr);
  EXPECT_EQ(sink.data(), content);
  registry.put(blob_path(blob), content.substr(1), "application/octet-stream");
  std::string message;
  blob::StringSink refused;
  EXPECT_EQ(kind_of(
                [&] {
                  fetch_layer(registry.client(), testing::kRepository, blob.digest, refused,
                              nullptr);
                },
                &message),
            ErrorKind::kIntegrity);
  EXPECT_EQ(message.rfind("layer " + blob.digest.string() + ": digest mismatch", 0), 0u) << message;
}

TEST(PullLayer, AsksTheSizeWithAHeadOnlyWhenACacheKeepsPartials) {
  TestRegistry registry;
  std::string content = blob_content(10, 30'000);
  image::Descriptor blob = registry.add_blob(content);
  blob::StringSink uncached;
  fetch_layer(registry.client(), testing::kRepository, blob.digest, uncached, nullptr);
  ASSERT_EQ(registry.requests().size(), 1u);
  EXPECT_EQ(registry.requests()[0].method, "GET");
  ScratchCache cache;
  blob::StringSink cached;
  fetch_layer(registry.client(), testing::kRepository, blob.digest, cached, cache.get());
  EXPECT_EQ(cached.data(), content);
  auto requests = registry.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].method, "HEAD");
  EXPECT_EQ(requests[2].method, "GET");
}

TEST(PullLayer, DropsAPartialLongerThanTheSizeTheRegistryStates) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(11, 30'000);
  image::Descriptor blob = registry.add_blob(content);
  // A partial that grew past the blob (a server that sent too much, run after run): without a
  // size it would be replayed and the blob refused; with the HEAD's size it starts afresh.
  image::Descriptor unsized = blob;
  unsized.size = -1;
  cache.leave_partial(unsized, content + content, 2 * content.size());
  blob::StringSink sink;
  fetch_layer(registry.client(), testing::kRepository, blob.digest, sink, cache.get());
  EXPECT_EQ(sink.data(), content);
  EXPECT_TRUE((*cache).find(blob.digest).has_value());
}

TEST(PullLayer, FetchesWithoutASizeWhenTheHeadIsRefused) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(12, 30'000);
  image::Descriptor blob = registry.add_blob(content);
  registry.refuse_head(405);
  blob::StringSink sink;
  fetch_layer(registry.client(), testing::kRepository, blob.digest, sink, cache.get());
  EXPECT_EQ(sink.data(), content);
}

TEST(PullLayer, AsksTheGivenFetcherForTheSizeAndBoundsTheBlobByIt) {
  ScratchCache cache;
  std::string content = blob_content(13, 20'000);
  digest::Digest digest = digest::sha256(content);
  int size_requests = 0;
  std::int64_t stated = static_cast<std::int64_t>(content.size()) - 1;
  std::int64_t asked_size = 0;
  LayerFetcher fetcher{[&](const digest::Digest&) -> std::optional<std::int64_t> {
                         ++size_requests;
                         return stated;
                       },
                       [&](const image::Descriptor& blob, ByteSink& out) {
                         asked_size = blob.size;
                         out.write(as_bytes(content.data(), content.size()));
                       }};
  blob::StringSink uncached;
  fetch_layer(fetcher, digest, uncached, nullptr);
  EXPECT_EQ(uncached.data(), content);
  EXPECT_EQ(size_requests, 0);
  EXPECT_EQ(asked_size, -1);
  blob::StringSink refused;
  EXPECT_EQ(kind_of([&] { fetch_layer(fetcher, digest, refused, cache.get()); }),
            ErrorKind::kIntegrity);
  EXPECT_EQ(size_requests, 1);
  EXPECT_EQ(asked_size, stated);
}

}  // namespace
}  // namespace hocker::pull
