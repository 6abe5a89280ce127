#include "hocker/blob/parallel_gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "hocker/base/test_support.h"
#include "hocker/blob/sinks.h"

namespace hocker::blob {
namespace {

constexpr std::size_t kBlock = 64 * 1024;

// Compressible but not trivially so: numbered lines with a little pseudo-random noise.
std::string sample(std::size_t size) {
  std::string text;
  std::uint32_t state = 12345;
  while (text.size() < size) {
    state = state * 1103515245U + 12345U;
    text += "line " + std::to_string(state % 1000) + " of the sample " +
            std::string(1, static_cast<char>('a' + (state >> 16) % 26)) + "\n";
  }
  text.resize(size);
  return text;
}

std::string compress(const std::string& input, unsigned threads, std::size_t chunk,
                     std::size_t block = kBlock, int level = 1) {
  test_support::StringSink out;
  auto compressor = make_parallel_gzip_compressor(out, {level, block, threads});
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    compressor->write(as_bytes(input.data() + at, std::min(chunk, input.size() - at)));
  }
  compressor->finish();
  EXPECT_TRUE(out.finished);
  return out.text;
}

// Inflates `gzip` with zlib, requiring exactly one gzip member that ends with the input.
std::string inflated(const std::string& gzip) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out;
  std::string buffer(1 << 16, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = static_cast<uInt>(gzip.size());
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  }
  EXPECT_EQ(status, Z_STREAM_END);
  EXPECT_EQ(stream.avail_in, 0U) << "bytes after the gzip member";
  inflateEnd(&stream);
  return out;
}

TEST(ParallelGzip, OutputIsTheSameForEveryThreadCountAndChunkingOfTheWrites) {
  std::string input = sample(3 * kBlock + 12345);
  std::string expected = compress(input, 0, input.size());
  for (unsigned threads : {0U, 1U, 2U, 5U}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{777}, kBlock, std::size_t{1} << 20}) {
      SCOPED_TRACE(std::to_string(threads) + " threads, writes of " + std::to_string(chunk));
      EXPECT_EQ(compress(input, threads, chunk), expected);
    }
  }
}

TEST(ParallelGzip, RoundTripsThroughZlibAndTheDecompressor) {
  std::string input = sample(5 * kBlock + 3);
  std::string gzip = compress(input, 2, 4096);
  EXPECT_EQ(inflated(gzip), input);
  test_support::StringSink out;
  auto decompressor = make_decompressor("blob", out);
  decompressor->write(as_bytes(gzip.data(), gzip.size()));
  decompressor->finish();
  EXPECT_EQ(out.text, input);
  EXPECT_LT(gzip.size(), input.size() / 2);
}

TEST(ParallelGzip, EmptyInputIsAValidEmptyGzipMember) {
  std::string gzip = compress("", 2, 1);
  // Header, an empty final fixed-Huffman block (03 00), CRC 0 and size 0.
  EXPECT_EQ(gzip, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\xff\x03\x00"
                              "\x00\x00\x00\x00\x00\x00\x00\x00",
                              20));
  EXPECT_EQ(inflated(gzip), "");
}

TEST(ParallelGzip, InputAtAndAroundBlockBoundariesRoundTrips) {
  for (std::size_t blocks : {1U, 2U, 3U}) {
    for (std::size_t size : {blocks * kBlock - 1, blocks * kBlock, blocks * kBlock + 1}) {
      SCOPED_TRACE(size);
      std::string input = sample(size);
      std::string gzip = compress(input, 2, 1000);
      EXPECT_EQ(inflated(gzip), input);
      EXPECT_EQ(compress(input, 0, kBlock), gzip);
    }
  }
}

TEST(ParallelGzip, InputShorterThanABlockGivesZlibsOwnGzipBytes) {
  std::string input = sample(kBlock - 1);
  for (int level : {1, 6, 9}) {
    SCOPED_TRACE(level);
    test_support::StringSink out;
    auto zlib_gzip = make_gzip_compressor(out, level);
    zlib_gzip->write(as_bytes(input.data(), input.size()));
    zlib_gzip->finish();
    EXPECT_EQ(compress(input, 2, 100, kBlock, level), out.text);
  }
}

TEST(ParallelGzip, BlocksUseThePrecedingWindowAsDictionary) {
  // A 16 KiB piece repeated over two blocks: with the dictionary, the second block matches the
  // tail of the first and costs about what it costs inside one long block; without it, it would
  // cost the whole piece again.
  std::string piece = sample(16 * 1024);
  std::string input;
  for (int i = 0; i < 8; ++i) input += piece;
  std::string blocked = compress(input, 2, 4096);
  std::string whole = compress(input, 2, 4096, 1024 * 1024);
  std::string alone = compress(piece, 2, 4096);
  EXPECT_LT(blocked.size(), whole.size() + alone.size() / 4);
  EXPECT_EQ(inflated(blocked), input);
}

// Counts the bytes and writes reaching it, and keeps a running CRC instead of the bytes.
class CountingSink final : public ByteSink {
 public:
  void write(Bytes data) override {
    ++writes;
    bytes += data.size();
  }
  void finish() override { finished = true; }
  std::size_t writes = 0;
  std::size_t bytes = 0;
  bool finished = false;
};

TEST(ParallelGzip, StreamsALargeInputHoldingOnlyAFewBlocks) {
  CountingSink out;
  constexpr unsigned kThreads = 2;
  auto compressor = make_parallel_gzip_compressor(out, {1, kBlock, kThreads});
  std::string block = sample(kBlock);
  constexpr std::size_t kBlocks = 512;  // 32 MiB.
  for (std::size_t i = 0; i < kBlocks; ++i) {
    compressor->write(as_bytes(block.data(), block.size()));
    // The header, then one write per block: only 2 * threads blocks are held back (plus the one
    // being filled, just submitted here).
    EXPECT_GE(out.writes + 2 * kThreads, i + 1) << "after block " << i;
  }
  compressor->finish();
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(out.writes, 1 + kBlocks + 1 + 1);  // Header, blocks, the empty last one, trailer.
}

TEST(ParallelGzip, RefusesABlockSmallerThanTheWindow) {
  test_support::StringSink out;
  EXPECT_EQ(test_support::kind_of([&] {
              make_parallel_gzip_compressor(out, {1, 1000, 1});
            }),
            ErrorKind::kInternal);
}

}  // namespace
}  // namespace hocker::blob
