#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "hocker/base/error.h"
#include "hocker/blob/sinks.h"

namespace hocker::blob {
namespace {

Bytes bytes_of(std::string_view text) {
  return as_bytes(text.data(), text.size());
}

// Compressible but not trivial: words from a small vocabulary, deterministic.
std::string sample_text(std::size_t size, unsigned seed = 1) {
  static const char* kWords[] = {"layer ", "blob ", "digest ", "manifest ", "tar\n", "0123 "};
  std::mt19937 random(seed);
  std::string text;
  while (text.size() < size) text += kWords[random() % 6];
  text.resize(size);
  return text;
}

std::string gzip(std::string_view data) {
  StringSink out;
  auto compressor = make_gzip_compressor(out);
  compressor->write(bytes_of(data));
  compressor->finish();
  return out.data();
}

std::string zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  std::size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

// Feeds `input` in slices of `slice` bytes and returns what came out.
std::string decompress(std::string_view input, std::size_t slice = 4096,
                       GzipCrc crc = GzipCrc::kVerify) {
  StringSink out;
  auto decompressor = make_decompressor("layer sha256:abc", out, crc);
  for (std::size_t at = 0; at < input.size(); at += slice) {
    decompressor->write(bytes_of(input.substr(at, slice)));
  }
  decompressor->finish();
  EXPECT_TRUE(out.finished());
  return out.data();
}

ErrorKind failure_kind(std::string_view input, std::string* message = nullptr,
                       GzipCrc crc = GzipCrc::kVerify) {
  try {
    decompress(input, 4096, crc);
  } catch (const Error& error) {
    if (message != nullptr) *message = error.what();
    return error.kind();
  }
  ADD_FAILURE() << "no error thrown";
  return ErrorKind::kInternal;
}

TEST(Decompressor, InflatesGzip) {
  std::string text = sample_text(1'000'000);
  EXPECT_EQ(decompress(gzip(text)), text);
}

TEST(Decompressor, InflatesGzipFedOneByteAtATime) {
  std::string text = sample_text(20'000);
  EXPECT_EQ(decompress(gzip(text), 1), text);
}

TEST(Decompressor, InflatesEveryMemberOfAMultiMemberGzip) {
  std::string first = sample_text(300'000, 1);
  std::string second = sample_text(200'000, 2);
  std::string third;  // An empty member in the middle is legal too.
  EXPECT_EQ(decompress(gzip(first) + gzip(third) + gzip(second)), first + second);
  EXPECT_EQ(decompress(gzip(first) + gzip(second), 1), first + second);
}

// zlib's own gzip writer, with a name, a comment, an extra field and a header CRC.
std::string zlib_gzip_with_full_header(std::string text) {
  std::string out(compressBound(text.size()) + 256, '\0');
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string extra(
      "xy\x04\x00"
      "data",
      8);  // One subfield "xy" of 4 bytes.
  gz_header header{};
  header.name = reinterpret_cast<Bytef*>(const_cast<char*>("layer.tar"));
  header.comment = reinterpret_cast<Bytef*>(const_cast<char*>("a comment"));
  header.extra = reinterpret_cast<Bytef*>(extra.data());
  header.extra_len = static_cast<uInt>(extra.size());
  header.hcrc = 1;
  EXPECT_EQ(deflateSetHeader(&stream, &header), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(text.data());
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(Decompressor, InflatesGzipWrittenByZlibItself) {
  std::string text = sample_text(100'000);
  EXPECT_EQ(decompress(zlib_gzip_with_full_header(text)), text);
  EXPECT_EQ(decompress(zlib_gzip_with_full_header(text), 1), text);
  EXPECT_EQ(decompress(zlib_gzip_with_full_header(text), 1, GzipCrc::kSkip), text);
}

TEST(Decompressor, WithoutTheCrcPassInflatesEveryMemberHoweverTheInputIsSliced) {
  std::string first = sample_text(300'000, 1);
  std::string second = sample_text(70'000, 2);
  std::string input = gzip(first) + gzip("") + zlib_gzip_with_full_header(second);
  for (std::size_t slice : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, input.size()}) {
    SCOPED_TRACE(slice);
    EXPECT_EQ(decompress(input, slice, GzipCrc::kSkip), first + second);
  }
}

TEST(Decompressor, WithoutTheCrcPassAWrongCrcPassesButAWrongLengthFails) {
  std::string compressed = gzip(sample_text(10'000));
  std::string wrong_crc = compressed;
  wrong_crc[compressed.size() - 6] = static_cast<char>(wrong_crc[compressed.size() - 6] ^ 1);
  EXPECT_EQ(decompress(wrong_crc, 4096, GzipCrc::kSkip), sample_text(10'000));
  std::string wrong_length = compressed;
  wrong_length[compressed.size() - 2] = static_cast<char>(wrong_length[compressed.size() - 2] ^ 1);
  std::string message;
  EXPECT_EQ(failure_kind(wrong_length, &message, GzipCrc::kSkip), ErrorKind::kIntegrity);
  EXPECT_NE(message.find("length mismatch"), std::string::npos) << message;
}

TEST(Decompressor, WithoutTheCrcPassCorruptTruncatedAndTrailingDataStillFail) {
  std::string compressed = gzip(sample_text(100'000));
  std::string corrupt = compressed;
  for (std::size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  EXPECT_EQ(failure_kind(corrupt, nullptr, GzipCrc::kSkip), ErrorKind::kIntegrity);
  for (std::size_t keep :
       {std::size_t{2}, std::size_t{9}, compressed.size() / 2, compressed.size() - 3}) {
    SCOPED_TRACE(keep);
    EXPECT_EQ(failure_kind(compressed.substr(0, keep), nullptr, GzipCrc::kSkip),
              ErrorKind::kIntegrity);
  }
  EXPECT_EQ(failure_kind(compressed + "garbage!", nullptr, GzipCrc::kSkip), ErrorKind::kIntegrity);
  std::string bad_header = compressed;
  bad_header[2] = 7;  // Compression method 7 is not deflate.
  EXPECT_EQ(failure_kind(bad_header, nullptr, GzipCrc::kSkip), ErrorKind::kIntegrity);
}

TEST(Decompressor, InflatesZstdIncludingSeveralFrames) {
  std::string first = sample_text(700'000, 3);
  std::string second = sample_text(1000, 4);
  EXPECT_EQ(decompress(zstd(first)), first);
  EXPECT_EQ(decompress(zstd(first) + zstd(second), 777), first + second);
}

TEST(Decompressor, ZstdFrameWhoseOutputEndsExactlyAtAChunkBoundaryIsComplete) {
  // The last call fills the staging chunk and ends the frame at once; the frame is whole.
  for (std::size_t size : {kChunkSize, 3 * kChunkSize, 80 * kChunkSize}) {
    SCOPED_TRACE(size);
    std::string text = sample_text(size, 5);
    EXPECT_EQ(decompress(zstd(text), 1U << 30), text);
    EXPECT_EQ(decompress(zstd(text), 65536), text);
  }
}

TEST(Decompressor, PassesThroughUncompressedData) {
  std::string text = sample_text(600'000);
  EXPECT_EQ(decompress(text), text);
  EXPECT_EQ(decompress(""), "");
  EXPECT_EQ(decompress("ab"), "ab");
  EXPECT_EQ(decompress(std::string("\x1f", 1)), std::string("\x1f", 1));
}

TEST(Decompressor, DetectsTheFormatFromContentNotMediaType) {
  // A zstd layer whose bytes are really gzip: the decompressor only looks at the bytes.
  std::string text = sample_text(50'000);
  EXPECT_EQ(decompress(gzip(text)), text);
  EXPECT_EQ(decompress(zstd(text)), text);
}

TEST(Decompressor, CorruptGzipIsAnIntegrityErrorNamingTheSubject) {
  std::string compressed = gzip(sample_text(100'000));
  for (std::size_t i = 20; i < 60; ++i) compressed[i] = static_cast<char>(compressed[i] ^ 0x5a);
  std::string message;
  EXPECT_EQ(failure_kind(compressed, &message), ErrorKind::kIntegrity);
  EXPECT_NE(message.find("layer sha256:abc"), std::string::npos) << message;
}

TEST(Decompressor, WrongGzipChecksumIsAnIntegrityError) {
  std::string compressed = gzip(sample_text(10'000));
  compressed[compressed.size() - 6] = static_cast<char>(compressed[compressed.size() - 6] ^ 1);
  EXPECT_EQ(failure_kind(compressed), ErrorKind::kIntegrity);
}

TEST(Decompressor, TrailingGarbageAfterGzipIsAnError) {
  EXPECT_EQ(failure_kind(gzip("hello") + "garbage!"), ErrorKind::kIntegrity);
}

TEST(Decompressor, TruncatedGzipIsAnIntegrityError) {
  std::string compressed = gzip(sample_text(100'000));
  std::string message;
  EXPECT_EQ(failure_kind(compressed.substr(0, compressed.size() / 2), &message),
            ErrorKind::kIntegrity);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_EQ(failure_kind(compressed.substr(0, compressed.size() - 3)), ErrorKind::kIntegrity);
  EXPECT_EQ(failure_kind(compressed.substr(0, 2)), ErrorKind::kIntegrity);
}

TEST(Decompressor, CorruptAndTruncatedZstdAreIntegrityErrors) {
  std::string compressed = zstd(sample_text(100'000));
  EXPECT_EQ(failure_kind(compressed.substr(0, compressed.size() - 10)), ErrorKind::kIntegrity);
  for (std::size_t i = 10; i < 40; ++i) compressed[i] = static_cast<char>(compressed[i] ^ 0x33);
  EXPECT_EQ(failure_kind(compressed), ErrorKind::kIntegrity);
}

class SizeRecorder final : public ByteSink {
 public:
  void write(Bytes data) override { sizes.push_back(data.size()); }
  void finish() override {}
  std::vector<std::size_t> sizes;
};

TEST(Decompressor, WritesDownstreamInWholeChunks) {
  SizeRecorder recorder;
  auto decompressor = make_decompressor("layer", recorder);
  std::string compressed = gzip(sample_text(3 * kChunkSize + 10));
  for (std::size_t at = 0; at < compressed.size(); at += 1000) {
    decompressor->write(bytes_of(std::string_view(compressed).substr(at, 1000)));
  }
  decompressor->finish();
  EXPECT_EQ(recorder.sizes, (std::vector<std::size_t>{kChunkSize, kChunkSize, kChunkSize, 10}));
}

TEST(GzipCompressor, WritesADeterministicHeaderAndRoundTrips) {
  std::string text = sample_text(500'000);
  std::string compressed = gzip(text);
  ASSERT_GT(compressed.size(), 10U);
  EXPECT_EQ(compressed.substr(0, 3), "\x1f\x8b\x08");
  EXPECT_EQ(compressed.substr(3, 5), std::string(5, '\0'));  // Flags and mtime zero.
  EXPECT_EQ(static_cast<unsigned char>(compressed[9]), 255);
  EXPECT_EQ(gzip(text), compressed);

  std::string back(text.size(), '\0');
  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 31), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(back.data());
  stream.avail_out = static_cast<uInt>(back.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  inflateEnd(&stream);
  EXPECT_EQ(back, text);
}

}  // namespace
}  // namespace hocker::blob
