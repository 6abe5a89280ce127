#include "hocker/blob/handoff_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"

namespace hocker::blob {
namespace {

using test_support::kind_of;
using test_support::StringSink;

Bytes bytes_of(std::string_view text) {
  return as_bytes(text.data(), text.size());
}

std::string pattern(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return text;
}

// Throws Error(kLocalIo) on its `fail_at`-th write (1-based), or from finish() when 0.
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(int fail_at) : fail_at_(fail_at) {}
  void write(Bytes) override {
    if (++writes == fail_at_) throw Error(ErrorKind::kLocalIo, "disk full");
  }
  void finish() override {
    if (fail_at_ == 0) throw Error(ErrorKind::kLocalIo, "cannot close");
    finished = true;
  }
  int writes = 0;
  bool finished = false;

 private:
  int fail_at_;
};

// Blocks every write until open() is called; counts the writes that began.
class GatedSink final : public ByteSink {
 public:
  void write(Bytes data) override {
    std::unique_lock lock(mutex_);
    ++started;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void finish() override { finished = true; }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void wait_started(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started >= count; });
  }
  std::string text;
  bool finished = false;
  int started = 0;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

TEST(HandoffSink, ForwardsEveryByteInOrderThenFinishes) {
  std::string data = pattern(100000);
  StringSink out;
  {
    HandoffSink handoff(out, 2, 1000);
    for (std::size_t at = 0, step = 1; at < data.size(); at += step, step = step * 3 % 4099 + 1) {
      handoff.write(bytes_of(std::string_view(data).substr(at, step)));
    }
    handoff.finish();
  }
  EXPECT_EQ(out.text, data);
  EXPECT_TRUE(out.finished);
}

TEST(HandoffSink, EmptyStreamStillFinishesTheNextStage) {
  StringSink out;
  HandoffSink handoff(out);
  handoff.finish();
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(out.text, "");
}

TEST(HandoffSink, ProducerWaitsWhileTheQueueIsFull) {
  constexpr std::size_t kSlots = 2, kChunk = 10;
  GatedSink out;
  std::atomic<int> written{0};
  std::string data = pattern(kChunk * 8);
  HandoffSink handoff(out, kSlots, kChunk);
  std::thread producer([&] {
    for (std::size_t i = 0; i < 8; ++i) {
      handoff.write(bytes_of(std::string_view(data).substr(i * kChunk, kChunk)));
      ++written;
    }
    handoff.finish();
  });
  // One chunk is in the (blocked) consumer and kSlots wait in the queue; the next write
  // cannot hand over its chunk.
  out.wait_started(1);
  while (written.load() < static_cast<int>(kSlots) + 1) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(written.load(), static_cast<int>(kSlots) + 1);
  out.open();
  producer.join();
  EXPECT_EQ(out.text, data);
  EXPECT_TRUE(out.finished);
}

TEST(HandoffSink, ConsumerWriteErrorReachesTheProducer) {
  FailingSink out(3);
  HandoffSink handoff(out, 2, 16);
  std::string chunk = pattern(16);
  std::string message;
  EXPECT_EQ(kind_of(
                [&] {
                  for (int i = 0; i < 1000; ++i) handoff.write(bytes_of(chunk));
                  handoff.finish();
                },
                &message),
            ErrorKind::kLocalIo);
  EXPECT_EQ(message, "disk full");
  EXPECT_EQ(out.writes, 3);
  EXPECT_FALSE(out.finished);
}

TEST(HandoffSink, ConsumerFinishErrorReachesTheProducersFinish) {
  FailingSink out(0);
  HandoffSink handoff(out, 2, 16);
  handoff.write(bytes_of("abc"));
  std::string message;
  EXPECT_EQ(kind_of([&] { handoff.finish(); }, &message), ErrorKind::kLocalIo);
  EXPECT_EQ(message, "cannot close");
}

TEST(HandoffSink, DestroyingBeforeFinishCancelsWithoutFinishingTheNextStage) {
  StringSink out;
  {
    HandoffSink handoff(out, 2, 4);
    handoff.write(bytes_of("0123456789"));
  }
  EXPECT_FALSE(out.finished);
  EXPECT_LE(out.text.size(), 8U);
  EXPECT_EQ(out.text, std::string("01234567").substr(0, out.text.size()));
}

TEST(HandoffSink, ProducerFailureWhileTheConsumerIsBlockedDoesNotDeadlock) {
  GatedSink out;
  std::thread opener;
  EXPECT_EQ(kind_of([&] {
              HandoffSink handoff(out, 1, 4);
              handoff.write(bytes_of("0123456789"));
              out.wait_started(1);
              opener = std::thread([&] { out.open(); });
              throw Error(ErrorKind::kIntegrity, "digest mismatch");
            }),
            ErrorKind::kIntegrity);
  opener.join();
  EXPECT_FALSE(out.finished);
}

TEST(HandoffSink, ErrorOfTheLastStageCrossesTwoHandoffs) {
  FailingSink out(5);
  HandoffSink second(out, 2, 8);
  HandoffSink first(second, 2, 8);
  std::string chunk = pattern(8);
  EXPECT_EQ(kind_of([&] {
              for (int i = 0; i < 1000; ++i) first.write(bytes_of(chunk));
              first.finish();
            }),
            ErrorKind::kLocalIo);
  EXPECT_EQ(out.writes, 5);
}

TEST(HandoffSink, ChainedHandoffsDeliverInOrder) {
  std::string data = pattern(300000);
  StringSink out;
  HandoffSink third(out, 3, 777);
  HandoffSink second(third, 1, 4096);
  HandoffSink first(second, 2, 100);
  for (std::size_t at = 0; at < data.size(); at += 1234) {
    first.write(bytes_of(std::string_view(data).substr(at, 1234)));
  }
  first.finish();
  EXPECT_EQ(out.text, data);
  EXPECT_TRUE(out.finished);
}

}  // namespace
}  // namespace hocker::blob
