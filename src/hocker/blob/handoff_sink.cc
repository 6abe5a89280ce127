#include "hocker/blob/handoff_sink.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace hocker::blob {

HandoffSink::HandoffSink(ByteSink& next, std::size_t slots, std::size_t chunk_size)
    : next_(next),
      slots_(std::max<std::size_t>(slots, 1)),
      chunk_size_(std::max<std::size_t>(chunk_size, 1)) {
  filling_.reserve(chunk_size_);
  worker_ = std::thread([this] { run(); });
}

HandoffSink::~HandoffSink() {
  stop_worker();
}

void HandoffSink::stop_worker() {
  if (!worker_.joinable()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void HandoffSink::write(Bytes data) {
  while (!data.empty()) {
    std::size_t take = std::min(data.size(), chunk_size_ - filling_.size());
    filling_.insert(filling_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (filling_.size() == chunk_size_) {
      push(std::move(filling_));
      filling_ = Chunk();
      std::lock_guard lock(mutex_);
      if (!spare_.empty()) {
        filling_ = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    if (filling_.capacity() < chunk_size_) {
      filling_.reserve(chunk_size_);
    }
  }
}

// Waits for room (backpressure), then queues `chunk`; rethrows the worker's failure instead.
void HandoffSink::push(Chunk chunk) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return done_ || queue_.size() < slots_; });
  if (done_) {
    lock.unlock();
    rethrow_worker_error();
  }
  queue_.push_back(std::move(chunk));
  lock.unlock();
  changed_.notify_all();
}

void HandoffSink::finish() {
  if (!filling_.empty()) {
    push(std::move(filling_));
    filling_ = Chunk();
  }
  {
    std::unique_lock lock(mutex_);
    ended_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return done_; });
  }
  worker_.join();
  rethrow_worker_error();
}

void HandoffSink::rethrow_worker_error() {
  std::exception_ptr error;
  {
    std::lock_guard lock(mutex_);
    error = error_;
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

// Takes the next chunk; false at the end of the stream or when cancelled.
bool HandoffSink::next_chunk(Chunk& chunk) {
  std::unique_lock lock(mutex_);
  if (!chunk.empty() || chunk.capacity() != 0) {
    chunk.clear();
    spare_.push_back(std::move(chunk));
  }
  changed_.wait(lock, [&] { return cancelled_ || ended_ || !queue_.empty(); });
  if (cancelled_ || queue_.empty()) {
    return false;
  }
  chunk = std::move(queue_.front());
  queue_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return true;
}

void HandoffSink::run() {
  std::exception_ptr error;
  bool finish_stream = false;
  try {
    Chunk chunk;
    while (next_chunk(chunk)) {
      next_.write(chunk);
    }
    {
      std::lock_guard lock(mutex_);
      finish_stream = ended_ && !cancelled_;
    }
    if (finish_stream) {
      next_.finish();
    }
  } catch (...) {
    error = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    error_ = error;
    done_ = true;
  }
  changed_.notify_all();
}

}  // namespace hocker::blob
