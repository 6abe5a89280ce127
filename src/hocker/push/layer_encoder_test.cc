#include "hocker/push/layer_encoder.h"

#include <gtest/gtest.h>

#include "hocker/base/test_support.h"
#include "hocker/blob/sinks.h"
#include "hocker/push/test_support.h"

namespace hocker::push {
namespace {

using test_support::StringSink;

std::string sample_tar() {
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "line " + std::to_string(i % 97) + "\n";
  return testing::make_tar({{"etc/hosts", content}});
}

EncodedLayer encode(const std::string& input, Compression target, std::string* blob,
                    std::size_t chunk = 1000) {
  StringSink out;
  LayerEncoder encoder("layer", target, out);
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    encoder.write(as_bytes(input.data() + at, std::min(chunk, input.size() - at)));
  }
  encoder.finish();
  EXPECT_TRUE(out.finished);
  if (blob != nullptr) *blob = out.text;
  return encoder.result();
}

std::string decompressed(const std::string& blob) {
  StringSink out;
  auto decompressor = blob::make_decompressor("blob", out);
  decompressor->write(as_bytes(blob.data(), blob.size()));
  decompressor->finish();
  return out.text;
}

TEST(LayerEncoder, CompressesAPlainTarWithGzipAndHashesBothSides) {
  std::string tar = sample_tar();
  std::string blob;
  EncodedLayer layer = encode(tar, Compression::kGzip, &blob);
  EXPECT_EQ(layer.diff_id, digest::sha256(tar));
  EXPECT_EQ(layer.digest, digest::sha256(blob));
  EXPECT_EQ(layer.size, static_cast<std::int64_t>(blob.size()));
  EXPECT_EQ(layer.compression, Compression::kGzip);
  EXPECT_TRUE(layer.compressed_here);
  EXPECT_EQ(blob.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\xff", 10));
  EXPECT_EQ(decompressed(blob), tar);
}

TEST(LayerEncoder, GzipOutputIsTheSameWhateverTheChunking) {
  std::string tar = sample_tar();
  EXPECT_EQ(encode(tar, Compression::kGzip, nullptr, 7).digest,
            encode(tar, Compression::kGzip, nullptr, 100000).digest);
}

TEST(LayerEncoder, GzipOfAFixedInputHasAFixedDigest) {
  // Five full 256 KiB blocks and a partial one at zlib level 1, each full block raw-deflated with
  // the 32 KiB before it as dictionary and ended with a sync flush, the last with Z_FINISH;
  // header 1f 8b 08 00, mtime 0, XFL 4, OS 255. The digest is that of the same scheme written
  // with Python's zlib (compressobj(1, DEFLATED, -15, 8, 0, zdict=...)). A change here changes
  // every pushed digest.
  std::string input;
  for (int i = 0; i < 150000; ++i) input += "row " + std::to_string(i * 7919 % 100003) + "\n";
  std::string blob;
  encode(input, Compression::kGzip, &blob, 65536);
  EXPECT_EQ(blob.size(), 537156U);
  EXPECT_EQ(digest::sha256(blob).string(),
            "sha256:cb3d0a454a2c67df55a928d974293dbef0ddbd9ca86ddf85d7876b03a46d9424");
}

TEST(LayerEncoder, ZstdOutputIsDeterministicAndDecompresses) {
  std::string tar = sample_tar();
  std::string blob;
  EncodedLayer layer = encode(tar, Compression::kZstd, &blob, 333);
  EXPECT_EQ(layer.compression, Compression::kZstd);
  EXPECT_EQ(layer.diff_id, digest::sha256(tar));
  EXPECT_EQ(layer.digest, encode(tar, Compression::kZstd, nullptr, 65536).digest);
  EXPECT_EQ(decompressed(blob), tar);
}

TEST(LayerEncoder, PassesACompressedMemberThroughUnchanged) {
  std::string tar = sample_tar();
  std::string gzipped;
  encode(tar, Compression::kGzip, &gzipped);
  std::string blob;
  EncodedLayer layer = encode(gzipped, Compression::kZstd, &blob, 3);
  EXPECT_EQ(blob, gzipped);
  EXPECT_EQ(layer.compression, Compression::kGzip);
  EXPECT_FALSE(layer.compressed_here);
  EXPECT_EQ(layer.diff_id, digest::sha256(tar));
  EXPECT_EQ(layer.digest, digest::sha256(gzipped));
}

TEST(LayerEncoder, LeavesAPlainTarPlainWhenAskedTo) {
  std::string tar = sample_tar();
  std::string blob;
  EncodedLayer layer = encode(tar, Compression::kNone, &blob);
  EXPECT_EQ(blob, tar);
  EXPECT_EQ(layer.digest, layer.diff_id);
}

TEST(LayerEncoder, SniffsTheMagicNumbers) {
  EXPECT_EQ(sniff_compression(as_bytes("\x1f\x8b\x08", 3)), Compression::kGzip);
  EXPECT_EQ(sniff_compression(as_bytes("\x28\xb5\x2f\xfd", 4)), Compression::kZstd);
  EXPECT_EQ(sniff_compression(as_bytes("etc/", 4)), Compression::kNone);
}

}  // namespace
}  // namespace hocker::push
