// make_zstd_compressor: libzstd streaming compression at a fixed level with no dictionary, so the
// same input always compresses to the same bytes with a given libzstd. With workers, libzstd cuts
// the input into jobs of a size fixed by the parameters, not by the worker count or the calls,
// so its output is the same for any count >= 1 (zstd.h, ZSTD_c_nbWorkers; checked by a test).
#include <zstd.h>

#include <memory>

#include "hocker/base/error.h"
#include "hocker/blob/chunk_writer.h"
#include "hocker/blob/sinks.h"

namespace hocker::blob {

namespace {

struct ContextFree {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};

class ZstdCompressor final : public ByteSink {
 public:
  ZstdCompressor(ByteSink& next, int level, int workers) : context_(ZSTD_createCCtx()), out_(next) {
    if (!context_ ||
        ZSTD_isError(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_nbWorkers, workers))) {
      throw Error(ErrorKind::kInternal, "cannot initialise the zstd compressor");
    }
  }

  void write(Bytes data) override {
    ZSTD_inBuffer input{data.data(), data.size(), 0};
    while (input.pos < input.size) run(input, ZSTD_e_continue);
  }
  void finish() override {
    ZSTD_inBuffer input{nullptr, 0, 0};
    while (run(input, ZSTD_e_end) != 0) {
    }
    out_.flush();
    out_.next().finish();
  }

 private:
  // One compression step; returns what ZSTD_compressStream2 says is left to flush.
  std::size_t run(ZSTD_inBuffer& input, ZSTD_EndDirective directive) {
    std::span<std::byte> space = out_.space();
    ZSTD_outBuffer output{space.data(), space.size(), 0};
    std::size_t left = ZSTD_compressStream2(context_.get(), &output, &input, directive);
    if (ZSTD_isError(left)) throw Error(ErrorKind::kInternal, "zstd compression failed");
    out_.produced(output.pos);
    return left;
  }

  std::unique_ptr<ZSTD_CCtx, ContextFree> context_;
  ChunkWriter out_;
};

}  // namespace

std::unique_ptr<ByteSink> make_zstd_compressor(ByteSink& next, int level, int workers) {
  return std::make_unique<ZstdCompressor>(next, level, workers);
}

}  // namespace hocker::blob
