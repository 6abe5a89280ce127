// The push-style stream interface every stage of the data path implements: transport →
// verify → decompress → hash → archive entry → file. Each stage forwards to the next.
#pragma once

#include <cstddef>
#include <span>

namespace hocker {

using Bytes = std::span<const std::byte>;

/// The chunk size the data path reads and writes in: large enough to keep syscalls rare, small
/// enough to stay on the kernel's fast path for buffered writes (128-256 KiB).
inline constexpr std::size_t kChunkSize = std::size_t{256} * 1024;

/// A consumer of a byte stream. write() may be called any number of times, then finish()
/// once at end of stream; a sink that detects a problem (wrong digest, disk full) throws
/// hocker::Error from either. A sink must not keep the span past the call.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(Bytes data) = 0;
  virtual void finish() = 0;
};

/// View a char buffer as bytes.
inline Bytes as_bytes(const char* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

}  // namespace hocker
