// make_gzip_compressor: zlib deflate with a fixed gzip header, so the same archive always
// compresses to the same bytes with a given zlib.
#include <zlib.h>

#include <algorithm>

#include "hocker/base/error.h"
#include "hocker/blob/chunk_writer.h"
#include "hocker/blob/sinks.h"

namespace hocker::blob {

namespace {

class GzipCompressor final : public ByteSink {
 public:
  GzipCompressor(ByteSink& next, int level) : out_(next) {
    // windowBits 15 + 16 asks zlib for a gzip wrapper (zlib.h, deflateInit2).
    if (deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error(ErrorKind::kInternal, "cannot initialise the gzip compressor");
    }
    header_.os = 255;  // "unknown", as Go writes it: the same bytes on every platform.
    deflateSetHeader(&stream_, &header_);
  }
  ~GzipCompressor() override { deflateEnd(&stream_); }
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  void write(Bytes data) override {
    while (!data.empty()) {
      std::size_t slice = std::min<std::size_t>(data.size(), 1U << 30);
      stream_.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(data.data()));
      stream_.avail_in = static_cast<uInt>(slice);
      run(Z_NO_FLUSH);
      data = data.subspan(slice);
    }
  }
  void finish() override {
    stream_.next_in = nullptr;
    stream_.avail_in = 0;
    run(Z_FINISH);
    out_.flush();
    out_.next().finish();
  }

 private:
  void run(int flush) {
    for (;;) {
      std::span<std::byte> space = out_.space();
      stream_.next_out = reinterpret_cast<Bytef*>(space.data());
      stream_.avail_out = static_cast<uInt>(space.size());
      int status = deflate(&stream_, flush);
      out_.produced(space.size() - stream_.avail_out);
      if (status == Z_STREAM_ERROR) throw Error(ErrorKind::kInternal, "gzip compression failed");
      if (flush == Z_FINISH ? status == Z_STREAM_END
                            : stream_.avail_in == 0 && stream_.avail_out > 0) {
        return;
      }
    }
  }

  z_stream stream_{};
  gz_header header_{};
  ChunkWriter out_;
};

}  // namespace

std::unique_ptr<ByteSink> make_gzip_compressor(ByteSink& next, int level) {
  return std::make_unique<GzipCompressor>(next, level);
}

}  // namespace hocker::blob
