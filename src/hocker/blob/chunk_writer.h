// An output buffer for codecs: they decode into space(), and full chunks go to the next sink,
// so downstream writes are always kChunkSize except the last.
#pragma once

#include <span>
#include <vector>

#include "hocker/base/byte_sink.h"
#include "hocker/blob/sinks.h"

namespace hocker::blob {

/// Fixed-size staging buffer in front of a sink.
class ChunkWriter {
 public:
  explicit ChunkWriter(ByteSink& next, std::size_t capacity = kChunkSize)
      : next_(next), buffer_(capacity) {}

  /// The free space at the end of the buffer; never empty.
  std::span<std::byte> space() { return std::span(buffer_).subspan(used_); }
  /// Records that `count` bytes of space() were filled; forwards the buffer when full.
  void produced(std::size_t count) {
    used_ += count;
    if (used_ == buffer_.size()) flush();
  }
  /// Copies `data` in, forwarding every full chunk.
  void append(Bytes data);
  /// Forwards whatever is buffered.
  void flush() {
    if (used_ == 0) return;
    next_.write(Bytes(buffer_.data(), used_));
    used_ = 0;
  }
  ByteSink& next() { return next_; }

 private:
  ByteSink& next_;
  std::vector<std::byte> buffer_;
  std::size_t used_ = 0;
};

}  // namespace hocker::blob
