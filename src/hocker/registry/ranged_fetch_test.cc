#include "hocker/registry/ranged_fetch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"

namespace hocker::registry {
namespace {

using test_support::kind_of;
using test_support::StringSink;

// A first chunk is never fast enough: the rest always goes over several connections.
constexpr std::int64_t kAlways = std::numeric_limits<std::int64_t>::max();

std::string blob_of(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 31 % 253);
  return bytes;
}

// Serves `blob` honouring every Range; records the (start, length) of each call.
struct FakeServer {
  explicit FakeServer(std::string bytes) : blob(std::move(bytes)) {}
  std::int64_t serve(std::int64_t start, std::int64_t length, ByteSink& sink) {
    {
      std::lock_guard lock(mutex);
      calls.emplace_back(start, length);
    }
    std::string_view part = std::string_view(blob).substr(static_cast<std::size_t>(start),
                                                          static_cast<std::size_t>(length));
    // In pieces, like a transport: a stopped worker ends between them.
    for (std::size_t at = 0; at < part.size(); at += 1000) {
      std::string_view piece = part.substr(at, 1000);
      sink.write(as_bytes(piece.data(), piece.size()));
    }
    return start + length;
  }
  // fetch_ranged() of [from, size) with every request served by serve().
  void fetch(std::int64_t from, std::int64_t size, ByteSink& sink,
             const RangedFetchOptions& options) {
    fetch_ranged(
        from, size,
        [this](auto start, auto length, ByteSink& out) { return serve(start, length, out); }, sink,
        options);
  }
  std::string blob;
  std::mutex mutex;
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
};

TEST(FetchRanged, FetchesConsecutiveChunksAndDeliversThemInOrder) {
  FakeServer server(blob_of(10'500));
  StringSink sink;
  server.fetch(0, 10'500, sink, {.connections = 3, .chunk_size = 1000, .parallel_below = kAlways});
  EXPECT_TRUE(sink.text == server.blob);
  EXPECT_EQ(server.calls.size(), 11u);
  EXPECT_EQ(server.calls.front(), std::make_pair(std::int64_t{0}, std::int64_t{1000}));
  std::sort(server.calls.begin(), server.calls.end());
  EXPECT_EQ(server.calls.back(), std::make_pair(std::int64_t{10'000}, std::int64_t{500}));
}

TEST(FetchRanged, StartsAtTheOffsetTheCallerAlreadyHas) {
  FakeServer server(blob_of(5000));
  StringSink sink;
  server.fetch(1234, 5000, sink, {.connections = 2, .chunk_size = 1000, .parallel_below = kAlways});
  EXPECT_TRUE(sink.text == server.blob.substr(1234));
}

TEST(FetchRanged, ChunksFinishingInReverseOrderStillArriveInOrder) {
  FakeServer server(blob_of(5000));
  std::mutex mutex;
  std::condition_variable changed;
  int finished = 0;
  StringSink sink;
  // Chunks 1..4 go to four workers at once; chunk k waits until every later one finished.
  fetch_ranged(0, 5000,
               [&](auto start, auto length, ByteSink& out) {
                 if (start > 0) {
                   std::unique_lock lock(mutex);
                   changed.wait(lock,
                                [&] { return finished >= 4 - static_cast<int>(start / 1000); });
                 }
                 std::int64_t end = server.serve(start, length, out);
                 std::lock_guard lock(mutex);
                 if (start > 0) ++finished;
                 changed.notify_all();
                 return end;
               },
               sink, {.connections = 4, .chunk_size = 1000, .parallel_below = kAlways});
  EXPECT_TRUE(sink.text == server.blob);
}

TEST(FetchRanged, AServerIgnoringRangeIsReadAsOneStream) {
  FakeServer server(blob_of(5000));
  StringSink sink;
  int calls = 0;
  fetch_ranged(0, 5000,
               [&](auto start, auto, ByteSink& out) {
                 ++calls;
                 return server.serve(start, 5000 - start, out);  // A 200: everything after `start`.
               },
               sink, {.connections = 4, .chunk_size = 1000, .parallel_below = kAlways});
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sink.text == server.blob);
}

TEST(FetchRanged, ASmallBlobTakesOneRequest) {
  FakeServer server(blob_of(900));
  StringSink sink;
  server.fetch(0, 900, sink, {.connections = 4, .chunk_size = 1000, .parallel_below = kAlways});
  EXPECT_EQ(server.calls.size(), 1u);
  EXPECT_TRUE(sink.text == server.blob);
}

TEST(FetchRanged, AFastFirstChunkFetchesTheRestInOneRequest) {
  FakeServer server(blob_of(10'500));
  StringSink sink;
  server.fetch(0, 10'500, sink, {.connections = 3, .chunk_size = 1000, .parallel_below = 0});
  EXPECT_TRUE(sink.text == server.blob);
  using Call = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(server.calls, (std::vector<Call>{{0, 1000}, {1000, 9500}}));
}

TEST(FetchRanged, NoFreeWorkerLeavesTheRestToOneRequest) {
  FakeServer server(blob_of(10'500));
  StringSink sink;
  std::atomic<int> free_workers{0};
  server.fetch(0, 10'500, sink,
               {.connections = 3,
                .chunk_size = 1000,
                .parallel_below = kAlways,
                .free_workers = &free_workers});
  EXPECT_TRUE(sink.text == server.blob);
  using Call = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(server.calls, (std::vector<Call>{{0, 1000}, {1000, 9500}}));
  EXPECT_EQ(free_workers.load(), 0);
}

TEST(FetchRanged, TakesNoMoreWorkersThanAreFreeAndGivesThemBack) {
  FakeServer server(blob_of(10'500));
  StringSink sink;
  std::atomic<int> free_workers{2};
  std::atomic<int> lowest{2};
  fetch_ranged(0, 10'500,
               [&](auto start, auto length, ByteSink& out) {
                 int now = free_workers.load();
                 int seen = lowest.load();
                 while (now < seen && !lowest.compare_exchange_weak(seen, now)) {
                 }
                 return server.serve(start, length, out);
               },
               sink,
               {.connections = 4,
                .chunk_size = 1000,
                .parallel_below = kAlways,
                .free_workers = &free_workers});
  EXPECT_TRUE(sink.text == server.blob);
  EXPECT_EQ(lowest.load(), 0);
  EXPECT_EQ(free_workers.load(), 2);
}

TEST(FetchRanged, NeverRunsMoreThanConnectionsPlusOneChunksAhead) {
  FakeServer server(blob_of(40'000));
  std::atomic<std::int64_t> written{0};
  std::atomic<std::int64_t> worst{0};
  class CountingSink final : public ByteSink {
   public:
    explicit CountingSink(std::atomic<std::int64_t>& bytes) : bytes_(bytes) {}
    void write(Bytes data) override { bytes_ += static_cast<std::int64_t>(data.size()); }
    void finish() override {}

   private:
    std::atomic<std::int64_t>& bytes_;
  } sink(written);
  fetch_ranged(0, 40'000,
               [&](auto start, auto length, ByteSink& out) {
                 std::int64_t ahead = (start - written.load()) / 1000;
                 std::int64_t seen = worst.load();
                 while (ahead > seen && !worst.compare_exchange_weak(seen, ahead)) {
                 }
                 return server.serve(start, length, out);
               },
               sink, {.connections = 2, .chunk_size = 1000, .parallel_below = kAlways});
  EXPECT_EQ(written.load(), 40'000);
  EXPECT_LE(worst.load(), 2 + 1);
}

TEST(FetchRanged, AFailingChunkEndsTheTransferWithItsError) {
  FakeServer server(blob_of(20'000));
  StringSink sink;
  std::string message;
  EXPECT_EQ(kind_of(
                [&] {
                  fetch_ranged(0, 20'000,
                               [&](auto start, auto length, ByteSink& out) {
                                 if (start == 7000)
                                   throw Error(ErrorKind::kNetwork, "GET chunk: 503 (gave up)");
                                 return server.serve(start, length, out);
                               },
                               sink,
                               {.connections = 3, .chunk_size = 1000, .parallel_below = kAlways});
                },
                &message),
            ErrorKind::kNetwork);
  EXPECT_EQ(message, "GET chunk: 503 (gave up)");
  EXPECT_LE(sink.text.size(), 7000u);
}

TEST(FetchRanged, ASinkFailureStopsTheWorkers) {
  FakeServer server(blob_of(50'000));
  class FailingSink final : public ByteSink {
   public:
    void write(Bytes) override {
      if (++writes == 3) throw Error(ErrorKind::kIntegrity, "size mismatch");
    }
    void finish() override {}
    int writes = 0;
  } sink;
  EXPECT_EQ(kind_of([&] {
              fetch_ranged(0, 50'000,
                           [&](auto start, auto length, ByteSink& out) {
                             return server.serve(start, length, out);
                           },
                           sink, {.connections = 3, .chunk_size = 1000, .parallel_below = kAlways});
            }),
            ErrorKind::kIntegrity);
  EXPECT_LT(server.calls.size(), 50u);
}

TEST(FetchRanged, AWorkersChunkAnsweredWithTheWholeBodyIsAFormatError) {
  FakeServer server(blob_of(5000));
  StringSink sink;
  EXPECT_EQ(kind_of([&] {
              fetch_ranged(0, 5000,
                           [&](auto start, auto length, ByteSink& out) {
                             if (start == 0) return server.serve(start, length, out);
                             return server.serve(start, 5000 - start,
                                                 out);  // Range no longer honoured.
                           },
                           sink, {.connections = 2, .chunk_size = 1000, .parallel_below = kAlways});
            }),
            ErrorKind::kFormat);
}

// The first chunk's opening bytes, in two writes a moment apart (a measurable rate), then
// waits until a worker asked for a later chunk (at most 10 s); records whether one did.
struct SlowStart {
  FakeServer& server;
  bool worker_seen = false;
  void open(ByteSink& out) {
    out.write(as_bytes(server.blob.data(), 50));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    out.write(as_bytes(server.blob.data() + 50, 50));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(server.mutex);
        worker_seen = std::any_of(server.calls.begin(), server.calls.end(),
                                  [](const auto& call) { return call.first >= 1000; });
      }
      if (worker_seen) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
};

TEST(FetchRanged, ASlowFirstChunkStartsTheWorkersBeforeItEnds) {
  FakeServer server(blob_of(10'500));
  SlowStart slow{server};
  StringSink sink;
  fetch_ranged(
      0, 10'500,
      [&](auto start, auto length, ByteSink& out) {
        if (start != 0) return server.serve(start, length, out);
        slow.open(out);
        out.write(as_bytes(server.blob.data() + 100, 900));
        return std::int64_t{1000};
      },
      sink, {.connections = 3, .chunk_size = 1000, .parallel_below = kAlways, .probe_size = 100});
  EXPECT_TRUE(slow.worker_seen);
  EXPECT_TRUE(sink.text == server.blob);
}

TEST(FetchRanged, AWholeBodyAfterAnEarlyStartIsReadAsOneStream) {
  FakeServer server(blob_of(10'500));
  SlowStart slow{server};
  StringSink sink;
  fetch_ranged(
      0, 10'500,
      [&](auto start, auto, ByteSink& out) -> std::int64_t {
        if (start != 0) {
          std::lock_guard lock(server.mutex);
          server.calls.emplace_back(start, 0);
          throw Error(ErrorKind::kFormat, "a 200 cut off");  // As the client answers a 200.
        }
        slow.open(out);  // A 200: the whole body follows.
        out.write(as_bytes(server.blob.data() + 100, server.blob.size() - 100));
        return 10'500;
      },
      sink, {.connections = 3, .chunk_size = 1000, .parallel_below = kAlways, .probe_size = 100});
  EXPECT_TRUE(slow.worker_seen);
  EXPECT_TRUE(sink.text == server.blob);
}

TEST(FetchRanged, AFastProbeStartsNoWorkerEarly) {
  FakeServer server(blob_of(10'500));
  StringSink sink;
  server.fetch(0, 10'500, sink,
               {.connections = 3, .chunk_size = 1000, .parallel_below = 0, .probe_size = 100});
  using Call = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(server.calls, (std::vector<Call>{{0, 1000}, {1000, 9500}}));
}

// A consumer slower than the network: 20 ms a write.
class SlowSink final : public ByteSink {
 public:
  void write(Bytes data) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    inner.write(data);
  }
  void finish() override {}
  StringSink inner;
};

TEST(FetchRanged, ASlowConsumerIsNoReasonForMoreConnections) {
  FakeServer server(blob_of(10'500));
  SlowSink sink;
  // 1000 bytes in 20 ms is 50 kB/s, under the bar; the network alone took microseconds.
  server.fetch(0, 10'500, sink, {.connections = 3, .chunk_size = 1000, .parallel_below = 100'000});
  EXPECT_TRUE(sink.inner.text == server.blob);
  using Call = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(server.calls, (std::vector<Call>{{0, 1000}, {1000, 9500}}));
}

TEST(FetchRanged, AConsumerAsSlowAsTheNetworkGetsNoMoreConnections) {
  FakeServer server(blob_of(10'500));
  SlowSink sink;
  // The network took 10 ms for the first chunk (slow, whatever the bar), the consumer 20 ms:
  // more connections would only fill the window.
  fetch_ranged(0, 10'500,
               [&](auto start, auto length, ByteSink& out) {
                 std::this_thread::sleep_for(std::chrono::milliseconds(10));
                 return server.serve(start, length, out);
               },
               sink, {.connections = 3, .chunk_size = 1000, .parallel_below = kAlways});
  EXPECT_TRUE(sink.inner.text == server.blob);
  using Call = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(server.calls, (std::vector<Call>{{0, 1000}, {1000, 9500}}));
}

}  // namespace
}  // namespace hocker::registry
