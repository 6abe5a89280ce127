#include <gtest/gtest.h>
#include <zstd.h>

#include <string>

#include "hocker/base/test_support.h"
#include "hocker/blob/sinks.h"

namespace hocker::blob {
namespace {

// Larger than several of libzstd's jobs at level 3 (a job is a few MiB), so that workers run
// side by side; compressible, with some pseudo-random noise.
std::string sample(std::size_t size) {
  std::string text;
  std::uint32_t state = 777;
  while (text.size() < size) {
    state = state * 1103515245U + 12345U;
    text += "entry " + std::to_string(state % 5000) + " " + std::to_string(state >> 20) + "\n";
  }
  text.resize(size);
  return text;
}

std::string compress(const std::string& input, int workers, std::size_t chunk) {
  test_support::StringSink out;
  auto compressor = make_zstd_compressor(out, 3, workers);
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    compressor->write(as_bytes(input.data() + at, std::min(chunk, input.size() - at)));
  }
  compressor->finish();
  EXPECT_TRUE(out.finished);
  return out.text;
}

// Decompressed with libzstd's own streaming decoder.
std::string zstd_decompressed(const std::string& frame) {
  ZSTD_DCtx* context = ZSTD_createDCtx();
  std::string out;
  std::string buffer(1 << 17, '\0');
  ZSTD_inBuffer input{frame.data(), frame.size(), 0};
  std::size_t hint = 1;
  while (input.pos < input.size || hint != 0) {
    ZSTD_outBuffer output{buffer.data(), buffer.size(), 0};
    hint = ZSTD_decompressStream(context, &output, &input);
    out.append(buffer.data(), output.pos);
    if (ZSTD_isError(hint) || (output.pos == 0 && input.pos == input.size && hint != 0)) {
      ADD_FAILURE() << "bad or truncated zstd frame";
      break;
    }
  }
  ZSTD_freeDCtx(context);
  return out;
}

TEST(ZstdCompressor, OutputIsTheSameForAnyWorkerCountFromOneAndAnyChunking) {
  std::string input = sample(20U << 20);
  std::string expected = compress(input, 1, input.size());
  struct Case {
    int workers;
    std::size_t chunk;
  };
  for (Case run : {Case{2, 4093}, Case{3, 1U << 20}, Case{4, 65536}}) {
    SCOPED_TRACE(std::to_string(run.workers) + " workers, writes of " + std::to_string(run.chunk));
    EXPECT_EQ(compress(input, run.workers, run.chunk), expected);
  }
  EXPECT_EQ(zstd_decompressed(expected), input);
}

TEST(ZstdCompressor, SingleThreadedOutputIsDeterministicToo) {
  std::string input = sample(3U << 20);
  EXPECT_EQ(compress(input, 0, 333), compress(input, 0, 1U << 20));
}

}  // namespace
}  // namespace hocker::blob
