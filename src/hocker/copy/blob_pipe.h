// The hand-off between the GET of a blob and its streamed upload: a bounded byte ring the
// download thread writes into and the upload's body reader drains, so that both transfers run
// at once with a few MiB in memory, and the upload cannot end before the download is verified.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <span>
#include <vector>

#include "hocker/base/byte_sink.h"

namespace hocker::copy {

/// The ring's size by default: enough to keep both connections busy, small per job.
inline constexpr std::size_t kPipeCapacity = std::size_t{4} << 20;

/// One producer (write(), then close() or fail()) and one consumer (read(), or cancel()).
/// The consumer never gets the stream's last byte before close(): an upload reading from the
/// pipe cannot complete its body until the producer vouched for every byte.
class BlobPipe final : public ByteSink {
 public:
  explicit BlobPipe(std::size_t capacity = kPipeCapacity);

  /// Producer: copies `data` in, blocking while the ring is full. Throws Error(kInternal,
  /// "cancelled") once the consumer cancelled.
  void write(Bytes data) override;
  /// Does nothing: the producer calls close() once the bytes are verified.
  void finish() override {}
  /// Producer: the stream is complete and good; the consumer may take the last bytes.
  void close();
  /// Producer: the stream failed; the consumer's next read() rethrows `error`.
  void fail(std::exception_ptr error);

  /// Consumer: fills `out` with up to out.size() bytes, blocking until some are there; 0 at
  /// the end of a closed stream. Rethrows the producer's failure.
  std::size_t read(std::span<std::byte> out);
  /// Consumer: gives up; the producer's blocked or next write() throws.
  void cancel();

 private:
  std::vector<std::byte> ring_;
  std::size_t head_ = 0;   // Where the next byte is read.
  std::size_t count_ = 0;  // Bytes held.
  bool closed_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace hocker::copy
