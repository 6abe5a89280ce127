#include "hocker/copy/blob_pipe.h"

#include <algorithm>
#include <cstring>

#include "hocker/base/error.h"

namespace hocker::copy {

BlobPipe::BlobPipe(std::size_t capacity) : ring_(std::max<std::size_t>(capacity, 2)) {}

void BlobPipe::write(Bytes data) {
  std::unique_lock lock(mutex_);
  while (!data.empty()) {
    changed_.wait(lock, [&] { return cancelled_ || count_ < ring_.size(); });
    if (cancelled_) throw Error(ErrorKind::kInternal, "blob copy cancelled");
    std::size_t tail = (head_ + count_) % ring_.size();
    std::size_t take = std::min({data.size(), ring_.size() - count_, ring_.size() - tail});
    std::memcpy(ring_.data() + tail, data.data(), take);
    count_ += take;
    data = data.subspan(take);
    changed_.notify_all();
  }
}

void BlobPipe::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void BlobPipe::fail(std::exception_ptr error) {
  std::lock_guard lock(mutex_);
  error_ = std::move(error);
  changed_.notify_all();
}

std::size_t BlobPipe::read(std::span<std::byte> out) {
  std::unique_lock lock(mutex_);
  // The last byte waits for close(): without it the stream is not vouched for.
  auto readable = [&] { return closed_ ? count_ : (count_ > 0 ? count_ - 1 : 0); };
  changed_.wait(lock, [&] { return error_ || closed_ || readable() > 0; });
  if (error_) std::rethrow_exception(error_);
  std::size_t give = std::min({out.size(), readable(), ring_.size() - head_});
  std::memcpy(out.data(), ring_.data() + head_, give);
  head_ = (head_ + give) % ring_.size();
  count_ -= give;
  changed_.notify_all();
  return give;
}

void BlobPipe::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  changed_.notify_all();
}

}  // namespace hocker::copy
