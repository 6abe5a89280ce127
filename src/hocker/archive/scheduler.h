// A small fixed pool for fetching layers: tasks are taken in index order by `jobs` threads;
// the first failure stops the rest and is rethrown once every thread has returned.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

#include "hocker/base/byte_sink.h"

namespace hocker::archive {

/// Set when a task failed; running tasks should stop soon (StopCheckSink does it for streams).
using StopFlag = std::atomic<bool>;

/// Runs task(i) for every i in [0, count) on min(jobs, count) threads (the calling thread is
/// one of them), taking indexes in increasing order. After the first exception no further task
/// starts and `stop` is set; when all threads are done the first exception is rethrown.
void run_in_parallel(std::size_t count, int jobs, StopFlag& stop,
                     const std::function<void(std::size_t)>& task);

/// Forwards to `next`, but throws Error(kInternal, "stopped") once `stop` is set, so that a
/// download whose sibling failed ends at its next chunk.
class StopCheckSink final : public ByteSink {
 public:
  StopCheckSink(const StopFlag& stop, ByteSink& next) : stop_(stop), next_(next) {}
  void write(Bytes data) override;
  void finish() override { next_.finish(); }

 private:
  const StopFlag& stop_;
  ByteSink& next_;
};

}  // namespace hocker::archive
