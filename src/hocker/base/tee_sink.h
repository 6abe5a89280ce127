// A sink that copies a stream to two sinks: hash-and-forward, cache-and-forward. Composed with
// digest::Hasher it replaces ad-hoc "hash what passes" stages.
#pragma once

#include <cstdint>

#include "hocker/base/byte_sink.h"

namespace hocker {

/// What TeeSink::finish() does with its two sinks.
enum class TeeFinish {
  kForward,   ///< finish() calls first.finish(), then second.finish(): the tee ends the stream.
  kKeepOpen,  ///< finish() calls neither: the tee carries one part of a longer stream.
};

/// Writes everything to `first`, then to `second`, and counts the bytes. When `first` throws,
/// `second` does not see that write. Neither sink is owned; both must outlive the tee.
class TeeSink final : public ByteSink {
 public:
  TeeSink(ByteSink& first, ByteSink& second, TeeFinish finish = TeeFinish::kForward)
      : first_(first), second_(second), finish_(finish) {}

  void write(Bytes data) override {
    first_.write(data);
    second_.write(data);
    bytes_ += static_cast<std::int64_t>(data.size());
  }

  void finish() override {
    if (finish_ == TeeFinish::kKeepOpen) return;
    first_.finish();
    second_.finish();
  }

  /// Bytes written to both sinks so far.
  std::int64_t bytes() const { return bytes_; }

 private:
  ByteSink& first_;
  ByteSink& second_;
  TeeFinish finish_;
  std::int64_t bytes_ = 0;
};

}  // namespace hocker
