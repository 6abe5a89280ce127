// A thread boundary in the push-style data path: the producer's writes are copied into a small
// bounded queue of fixed-size chunks that a worker thread feeds to the next stage, so the stages
// on either side (receive + verify, inflate, hash + write) run on separate cores.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "hocker/base/byte_sink.h"

namespace hocker::blob {

/// Forwards everything written to `next` from a worker thread of its own, in order. write()
/// copies into chunks of `chunk_size` bytes and blocks while `slots` full chunks wait (memory
/// stays at most (slots + 2) × chunk_size). When `next` throws, the worker stops and the
/// producer's next write() or finish() rethrows that exception. finish() hands over the last
/// chunk, waits until the worker has called next.finish(), and rethrows what the worker threw.
/// Destroying it before finish() returned cancels the worker (next.finish() is not called) and
/// joins it: a producer that fails simply lets it go out of scope.
class HandoffSink final : public ByteSink {
 public:
  explicit HandoffSink(ByteSink& next, std::size_t slots = 2,
                       std::size_t chunk_size = kChunkSize / 2);
  ~HandoffSink() override;
  HandoffSink(const HandoffSink&) = delete;
  HandoffSink& operator=(const HandoffSink&) = delete;

  void write(Bytes data) override;
  void finish() override;

 private:
  using Chunk = std::vector<std::byte>;
  void push(Chunk chunk);
  void run();
  bool next_chunk(Chunk& chunk);
  void rethrow_worker_error();
  void stop_worker();

  ByteSink& next_;
  const std::size_t slots_;
  const std::size_t chunk_size_;
  Chunk filling_;  // producer side only
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> queue_;   // guarded by mutex_
  std::vector<Chunk> spare_;  // emptied chunks for reuse, guarded by mutex_
  bool ended_ = false;        // guarded: the producer called finish()
  bool cancelled_ = false;    // guarded: the producer gave up
  bool done_ = false;         // guarded: the worker returned (finished or failed)
  std::exception_ptr error_;  // guarded: what the worker threw
  std::thread worker_;
};

}  // namespace hocker::blob
