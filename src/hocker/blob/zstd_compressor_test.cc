#include <gtest/gtest.h>

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

TEST(ZstdCompressor, OutputIsTheSameForAnyWorkerCountFromOneAndAnyChunking) {
  std::string input = sample(40U << 20);
  std::string expected = compress(input, 1, input.size());
  for (int workers : {1, 2, 3, 4}) {
    for (std::size_t chunk : {std::size_t{4093}, std::size_t{1} << 20}) {
      SCOPED_TRACE(std::to_string(workers) + " workers, writes of " + std::to_string(chunk));
      EXPECT_EQ(compress(input, workers, chunk), expected);
    }
  }
  test_support::StringSink out;
  auto decompressor = make_decompressor("blob", out);
  for (std::size_t at = 0; at < expected.size(); at += 65536) {
    decompressor->write(
        as_bytes(expected.data() + at, std::min<std::size_t>(65536, expected.size() - at)));
  }
  decompressor->finish();
  EXPECT_EQ(out.text, input);
}

TEST(ZstdCompressor, SingleThreadedOutputIsDeterministicToo) {
  std::string input = sample(3U << 20);
  EXPECT_EQ(compress(input, 0, 333), compress(input, 0, 1U << 20));
}

}  // namespace
}  // namespace hocker::blob
