#include "hocker/registry/ranged_fetch.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hocker/base/error.h"

namespace hocker::registry {
namespace {

using Chunk = std::vector<std::byte>;

// What the workers and the writing thread share.
class Window {
 public:
  /// Chunks of `chunk_size` over [start, size), at most `connections` + 1 of them held.
  Window(std::int64_t start, std::int64_t size, std::int64_t chunk_size, int connections)
      : start_(start),
        size_(size),
        chunk_size_(chunk_size),
        count_((size - start + chunk_size - 1) / chunk_size),
        slots_(connections + 1) {}

  std::int64_t count() const { return count_; }
  std::int64_t chunk_start(std::int64_t index) const { return start_ + index * chunk_size_; }
  std::int64_t chunk_length(std::int64_t index) const {
    return std::min(chunk_size_, size_ - chunk_start(index));
  }

  /// The next chunk to fetch, waiting while the window is full; -1 when there is none or the
  /// transfer stopped.
  std::int64_t claim() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock,
                  [&] { return stopped_ || claimed_ >= count_ || claimed_ < written_ + slots_; });
    if (stopped_ || claimed_ >= count_) return -1;
    return claimed_++;
  }

  void deliver(std::int64_t index, Chunk chunk) {
    std::lock_guard lock(mutex_);
    ready_.emplace(index, std::move(chunk));
    changed_.notify_all();
  }

  /// Records the first failure and stops everyone.
  void fail(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
    stopped_ = true;
    changed_.notify_all();
  }

  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

  bool stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  /// Chunk `index` once fetched; rethrows a worker's failure when it will not come. Chunks
  /// fetched before a failure are still handed on: a cache keeps the longest prefix.
  Chunk take(std::int64_t index) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return error_ || ready_.contains(index); });
    if (!ready_.contains(index)) std::rethrow_exception(error_);
    Chunk chunk = std::move(ready_.at(index));
    ready_.erase(index);
    written_ = index + 1;
    changed_.notify_all();
    return chunk;
  }

 private:
  const std::int64_t start_, size_, chunk_size_, count_, slots_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t claimed_ = 0;  // guarded by mutex_, as everything below
  std::int64_t written_ = 0;
  std::map<std::int64_t, Chunk> ready_;
  std::exception_ptr error_;
  bool stopped_ = false;
};

// Collects one chunk; refuses more than asked for, and ends the transfer once stopped.
class ChunkSink final : public ByteSink {
 public:
  ChunkSink(Chunk& chunk, std::int64_t length, Window& window)
      : chunk_(chunk), length_(static_cast<std::size_t>(length)), window_(window) {
    chunk_.reserve(length_);
  }
  void write(Bytes data) override {
    if (chunk_.size() + data.size() > length_) {
      throw Error(ErrorKind::kFormat,
                  "the registry stopped honouring Range requests in the middle of a blob");
    }
    if (window_.stopped()) throw Error(ErrorKind::kInternal, "stopped");
    chunk_.insert(chunk_.end(), data.begin(), data.end());
  }
  void finish() override {}

 private:
  Chunk& chunk_;
  std::size_t length_;
  Window& window_;
};

void run_worker(Window& window, const ChunkFetcher& fetch) {
  try {
    for (std::int64_t index = window.claim(); index >= 0; index = window.claim()) {
      Chunk chunk;
      ChunkSink sink(chunk, window.chunk_length(index), window);
      std::int64_t end = fetch(window.chunk_start(index), window.chunk_length(index), sink);
      if (end != window.chunk_start(index) + window.chunk_length(index) ||
          static_cast<std::int64_t>(chunk.size()) != window.chunk_length(index)) {
        throw Error(ErrorKind::kFormat,
                    "the registry stopped honouring Range requests in the middle of a blob");
      }
      window.deliver(index, std::move(chunk));
    }
  } catch (...) {
    window.fail(std::current_exception());
  }
}

// Stops and joins the workers however the writing thread leaves.
class Workers {
 public:
  Workers(Window& window, const ChunkFetcher& fetch, int count) : window_(window) {
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([&window, &fetch] { run_worker(window, fetch); });
    }
  }
  ~Workers() {
    window_.stop();
    for (std::thread& thread : threads_) thread.join();
  }
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

 private:
  Window& window_;
  std::vector<std::thread> threads_;
};

// Takes up to `wanted` workers from the shared count (all of them when there is none) and
// gives them back.
class WorkerGrant {
 public:
  WorkerGrant(std::atomic<int>* free, int wanted) : free_(free), count_(wanted) {
    if (free_ == nullptr) return;
    int available = free_->load();
    do {
      count_ = std::min(wanted, std::max(available, 0));
    } while (!free_->compare_exchange_weak(available, available - count_));
  }
  ~WorkerGrant() {
    if (free_ != nullptr) *free_ += count_;
  }
  WorkerGrant(const WorkerGrant&) = delete;
  WorkerGrant& operator=(const WorkerGrant&) = delete;
  int count() const { return count_; }

 private:
  std::atomic<int>* free_;
  int count_;
};

// Passes the first chunk on, timing what the network took apart from what `sink` took (a sink
// that is slower than the network, a busy decompressor, holds the connection back: no number
// of connections would help then). Once options.probe_size bytes have come, tells whether the
// network brought them slowly enough (under half of parallel_below, from the first byte on,
// and waiting on it took more than twice what the sink took) to start the workers before the
// chunk ends.
class ProbeSink final : public ByteSink {
 public:
  using Clock = std::chrono::steady_clock;
  ProbeSink(ByteSink& sink, const RangedFetchOptions& options, std::function<void()> on_slow)
      : sink_(sink), options_(options), on_slow_(std::move(on_slow)) {}
  void write(Bytes data) override {
    auto arrived = Clock::now();
    if (received_ > 0) waited_ += arrived - returned_;  // Waiting on the network.
    sink_.write(data);
    returned_ = Clock::now();
    in_sink_ += returned_ - arrived;
    received_ += static_cast<std::int64_t>(data.size());
    if (decided_ || received_ < options_.probe_size) return;
    decided_ = true;
    std::chrono::duration<double> waited = waited_;
    if (!consumer_bound(waited_) &&
        2.0 * static_cast<double>(received_) <
            static_cast<double>(options_.parallel_below) * waited.count()) {
      on_slow_();
    }
  }
  void finish() override {}
  /// How long `sink` took so far.
  Clock::duration in_sink() const { return in_sink_; }
  /// Whether the sink, not a network that took `network`, held the transfer back: it took a
  /// noticeable time and at least half of what the network took.
  bool consumer_bound(Clock::duration network) const {
    return in_sink_ >= std::chrono::milliseconds(1) && network <= 2 * in_sink_;
  }

 private:
  ByteSink& sink_;
  const RangedFetchOptions& options_;
  std::function<void()> on_slow_;
  Clock::time_point returned_;
  Clock::duration waited_{0};
  Clock::duration in_sink_{0};
  std::int64_t received_ = 0;
  bool decided_ = false;
};

// The workers of one ranged fetch, started at most once (early or after the first chunk).
class Crew {
 public:
  Crew(std::int64_t start, std::int64_t size, const ChunkFetcher& fetch,
       const RangedFetchOptions& options)
      : start_(start), size_(size), fetch_(fetch), options_(options) {}
  /// Starts the workers when there are chunks left and free workers; whether any run.
  bool start() {
    if (started_) return workers_.has_value();
    started_ = true;
    std::int64_t chunk_size = options_.chunk_size;
    int wanted = static_cast<int>(std::min<std::int64_t>(
        options_.connections, (size_ - start_ + chunk_size - 1) / chunk_size));
    grant_.emplace(options_.free_workers, wanted);
    if (grant_->count() == 0) return false;
    window_.emplace(start_, size_, chunk_size, grant_->count());
    workers_.emplace(*window_, fetch_, grant_->count());
    return true;
  }
  bool running() const { return workers_.has_value(); }
  Window& window() { return *window_; }

 private:
  const std::int64_t start_, size_;
  const ChunkFetcher& fetch_;
  const RangedFetchOptions& options_;
  bool started_ = false;
  // Destroyed in reverse: the workers are stopped and joined before the window goes.
  std::optional<WorkerGrant> grant_;
  std::optional<Window> window_;
  std::optional<Workers> workers_;
};

}  // namespace

void fetch_ranged(std::int64_t offset, std::int64_t size, const ChunkFetcher& fetch, ByteSink& sink,
                  const RangedFetchOptions& options) {
  std::int64_t chunk_size = std::max<std::int64_t>(options.chunk_size, 1);
  if (options.connections <= 1 || size - offset <= chunk_size) {
    fetch(offset, size - offset, sink);
    return;
  }
  RangedFetchOptions settled = options;
  settled.chunk_size = chunk_size;
  Crew crew(offset + chunk_size, size, fetch, settled);
  // The first chunk also asks whether the server honours Range: a 200 streams everything.
  auto began = std::chrono::steady_clock::now();
  ProbeSink probe(sink, settled, [&crew] { crew.start(); });
  std::int64_t start = fetch(offset, chunk_size, probe);
  if (start >= size) return;  // Early workers, if any, are stopped; their cut-off ignored.
  if (start != offset + chunk_size) {
    throw Error(ErrorKind::kInternal, "a ranged fetch ended at an unexpected offset");
  }
  // Only a network that is the bottleneck (it took more than twice what the sink took) and slow
  // gains from more connections; a busy consumer would only buffer their chunks.
  auto network = std::chrono::steady_clock::now() - began - probe.in_sink();
  std::chrono::duration<double> took = network;
  bool fast =
      probe.consumer_bound(network) ||
      static_cast<double>(chunk_size) >= static_cast<double>(options.parallel_below) * took.count();
  if (!crew.running() && (fast || !crew.start())) {
    fetch(start, size - start, sink);  // One connection keeps up, or every worker is busy.
    return;
  }
  for (std::int64_t index = 0; index < crew.window().count(); ++index) {
    Chunk chunk = crew.window().take(index);
    sink.write(chunk);
  }
}

}  // namespace hocker::registry
