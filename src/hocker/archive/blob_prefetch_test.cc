#include "hocker/archive/blob_prefetch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"
#include "hocker/blob/sinks.h"
#include "hocker/digest/digest.h"

namespace hocker::archive {
namespace {

Bytes bytes_of(std::string_view text) {
  return as_bytes(text.data(), text.size());
}

image::Descriptor descriptor_of(const std::string& content) {
  return image::Descriptor{"application/octet-stream",
                           digest::sha256(content),
                           static_cast<std::int64_t>(content.size()),
                           {},
                           {},
                           {}};
}

// An in-memory registry that counts the requests per digest.
struct FakeRegistry {
  std::map<std::string, std::string> blobs;
  std::map<std::string, int> requests;
  std::mutex mutex;

  image::Descriptor add(const std::string& content) {
    image::Descriptor d = descriptor_of(content);
    blobs[d.digest.string()] = content;
    return d;
  }
  int count(const image::Descriptor& d) {
    std::lock_guard lock(mutex);
    return requests[d.digest.string()];
  }
  BlobFetcher fetcher() {
    return [this](const image::Descriptor& blob, ByteSink& sink) {
      {
        std::lock_guard lock(mutex);
        ++requests[blob.digest.string()];
      }
      sink.write(bytes_of(blobs.at(blob.digest.string())));
    };
  }
};

std::string fetch_through(BlobFetcher fetch, const image::Descriptor& blob) {
  blob::StringSink out;
  fetch(blob, out);
  return out.data();
}

using hocker::test_support::kind_of;

std::string spool_dir() {
  return spool_directory("");
}

TEST(BlobPrefetch, ServesSmallLayersFromTheirSpoolWithOneRequestEach) {
  FakeRegistry registry;
  auto a = registry.add("layer a");
  auto b = registry.add(std::string(100000, 'b'));
  BlobPrefetch prefetch({a, b}, registry.fetcher(), spool_dir());
  EXPECT_EQ(prefetch.started(), 2u);
  auto fetch = prefetch.fetcher();
  EXPECT_EQ(fetch_through(fetch, b), registry.blobs[b.digest.string()]);
  EXPECT_EQ(fetch_through(fetch, a), "layer a");
  EXPECT_EQ(registry.count(a), 1);
  EXPECT_EQ(registry.count(b), 1);
}

TEST(BlobPrefetch, LeavesLargeForeignAndRepeatedLayersAndStopsAtTheLimit) {
  FakeRegistry registry;
  auto small = registry.add("small");
  auto large = registry.add(std::string(2000, 'L'));
  auto foreign = registry.add("foreign");
  foreign.urls = {"http://127.0.0.1:1/blob"};
  auto late = registry.add("late");
  PrefetchLimits limits;
  limits.max_blobs = 1;
  limits.max_size = 1000;
  {
    BlobPrefetch prefetch({large, foreign, small, small, late}, registry.fetcher(), spool_dir(),
                          limits);
    EXPECT_EQ(prefetch.started(), 1u);
  }
  EXPECT_EQ(registry.count(small), 1);
  EXPECT_EQ(registry.count(large), 0);
  EXPECT_EQ(registry.count(foreign), 0);
  EXPECT_EQ(registry.count(late), 0);
}

TEST(BlobPrefetch, ABlobAskedForAgainGoesToTheRegistry) {
  FakeRegistry registry;
  auto a = registry.add("again");
  BlobPrefetch prefetch({a}, registry.fetcher(), spool_dir());
  auto fetch = prefetch.fetcher();
  EXPECT_EQ(fetch_through(fetch, a), "again");
  EXPECT_EQ(fetch_through(fetch, a), "again");
  EXPECT_EQ(registry.count(a), 2);
}

TEST(BlobPrefetch, AFailedDownloadRethrowsItsErrorWhenServed) {
  auto a = descriptor_of("never sent");
  BlobFetcher failing = [](const image::Descriptor&, ByteSink&) {
    throw Error(ErrorKind::kNetwork, "connection refused");
  };
  BlobPrefetch prefetch({a}, failing, spool_dir());
  std::string message;
  EXPECT_EQ(kind_of([&] { fetch_through(prefetch.fetcher(), a); }, &message), ErrorKind::kNetwork);
  EXPECT_EQ(message, "connection refused");
}

TEST(BlobPrefetch, BytesBeyondTheDeclaredSizeNeverReachTheSpool) {
  auto a = descriptor_of("four");
  std::atomic<std::int64_t> accepted{0};
  BlobFetcher endless = [&](const image::Descriptor&, ByteSink& sink) {
    for (;;) {
      sink.write(bytes_of("four"));
      accepted += 4;
    }
  };
  BlobPrefetch prefetch({a}, endless, spool_dir());
  EXPECT_EQ(kind_of([&] { fetch_through(prefetch.fetcher(), a); }), ErrorKind::kIntegrity);
  EXPECT_EQ(accepted.load(), 4);
}

TEST(BlobPrefetch, DestructionStopsDownloadsNobodyTook) {
  auto a = descriptor_of("slow");
  std::atomic<int> chunks{0};
  BlobFetcher trickle = [&](const image::Descriptor&, ByteSink& sink) {
    for (;;) {  // Ends only when the sink throws.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      ++chunks;
      sink.write(Bytes());
    }
  };
  {
    PrefetchLimits limits;
    limits.max_size = 1 << 20;
    BlobPrefetch prefetch({a}, trickle, spool_dir(), limits);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int seen = chunks.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(chunks.load(), seen);
}

}  // namespace
}  // namespace hocker::archive
