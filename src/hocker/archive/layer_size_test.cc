#include "hocker/archive/layer_size.h"

#include <gtest/gtest.h>

#include <atomic>

#include "hocker/archive/test_image.h"
#include "hocker/digest/digest.h"
#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

using testing::gzip;
using testing::layer_tar;

std::string_view tail4(const std::string& blob) {
  return std::string_view(blob).substr(blob.size() - 4);
}

image::Descriptor descriptor(const std::string& blob, std::string_view media_type) {
  return image::Descriptor{std::string(media_type),
                           digest::sha256(blob),
                           static_cast<std::int64_t>(blob.size()),
                           {},
                           std::nullopt,
                           {}};
}

BlobRangeReader reader_of(const std::string& blob, std::atomic<int>* calls = nullptr) {
  return [&blob, calls](const image::Descriptor&, std::int64_t offset,
                        std::int64_t length) -> std::optional<std::string> {
    if (calls != nullptr) ++*calls;
    return blob.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
  };
}

TEST(LayerSize, AGzipMemberAnnouncesItsDecompressedSizeInItsLastFourBytes) {
  std::string tar = layer_tar(1, 300'000);
  std::string blob = gzip(tar);
  EXPECT_EQ(gzip_size_hint(static_cast<std::int64_t>(blob.size()), tail4(blob)),
            static_cast<std::int64_t>(tar.size()));
}

TEST(LayerSize, TwoGzipMembersAnnounceOnlyTheLastOnesSize) {
  std::string first = layer_tar(1, 300'000);
  std::string second = layer_tar(2, 200'000);
  std::string blob = gzip(first) + gzip(second);
  auto hint = gzip_size_hint(static_cast<std::int64_t>(blob.size()), tail4(blob));
  // Plausible, and wrong: the reason a guess is checked as the layer is written.
  ASSERT_TRUE(hint.has_value());
  EXPECT_EQ(*hint, static_cast<std::int64_t>(second.size()));
  EXPECT_NE(*hint, static_cast<std::int64_t>(first.size() + second.size()));
}

TEST(LayerSize, ImplausibleGzipSizesAreNoHint) {
  std::string le_100 = std::string("\x64\x00\x00\x00", 4);
  EXPECT_FALSE(gzip_size_hint(1'000, le_100));  // Smaller than half the blob.
  EXPECT_FALSE(gzip_size_hint(20, std::string("\xff\xff\xff\x00", 4)));  // Above 1032 times.
  EXPECT_FALSE(gzip_size_hint(std::int64_t{5} << 30, le_100));           // A blob of 4 GiB or more.
  EXPECT_FALSE(gzip_size_hint(100, "abc"));
  EXPECT_EQ(gzip_size_hint(100, le_100), 100);
}

TEST(LayerSize, AZstdFrameHeaderGivesItsContentSizeWhenItHasOne) {
  std::string magic("\x28\xb5\x2f\xfd", 4);
  // Single segment, 1-byte size.
  EXPECT_EQ(zstd_size_hint(magic + std::string("\x20\x7b", 2)), 123);
  // 2-byte size (+256), window descriptor present.
  EXPECT_EQ(zstd_size_hint(magic + std::string("\x40\x58\x10\x00", 4)), 0x10 + 256);
  // 4-byte size, 1-byte dictionary id, window descriptor.
  EXPECT_EQ(zstd_size_hint(magic + std::string("\x81\x58\x07\x00\x00\x01\x00", 7)), 65'536);
  // 8-byte size, single segment.
  EXPECT_EQ(zstd_size_hint(magic + std::string("\xe0\x00\x00\x00\x40\x00\x00\x00\x00", 9)),
            std::int64_t{1} << 30);
  // No size (flag 0, not single segment), truncated, not zstd.
  EXPECT_FALSE(zstd_size_hint(magic + std::string("\x00\x58", 2)));
  EXPECT_FALSE(zstd_size_hint(magic + std::string("\x80\x58\x07", 3)));
  EXPECT_FALSE(zstd_size_hint(std::string("\x1f\x8b\x08\x00\x00\x00", 6)));
}

TEST(LayerSize, AnUncompressedLayerIsItsOwnSizeWithoutAnyRead) {
  std::string tar = layer_tar(3, 10'000);
  std::atomic<int> calls{0};
  EXPECT_EQ(layer_size_hint(descriptor(tar, image::media_type::kOciLayer), reader_of(tar, &calls)),
            static_cast<std::int64_t>(tar.size()));
  EXPECT_EQ(calls.load(), 0);
}

TEST(LayerSize, AGzipLayerReadsItsLastFourBytesAndAZstdOneItsHeader) {
  std::string tar = layer_tar(4, 50'000);
  std::string blob = gzip(tar);
  EXPECT_EQ(layer_size_hint(descriptor(blob, image::media_type::kDockerLayerGzip), reader_of(blob)),
            static_cast<std::int64_t>(tar.size()));
  std::string zstd = std::string("\x28\xb5\x2f\xfd\x20\x7b", 6) + std::string(30, 'x');
  EXPECT_EQ(layer_size_hint(descriptor(zstd, image::media_type::kOciLayerZstd), reader_of(zstd)),
            123);
}

TEST(LayerSize, NoReaderOrNoAnswerIsNoHint) {
  std::string blob = gzip(layer_tar(5, 50'000));
  image::Descriptor layer = descriptor(blob, image::media_type::kDockerLayerGzip);
  EXPECT_FALSE(layer_size_hint(layer, nullptr));
  EXPECT_FALSE(layer_size_hint(
      layer, [](const image::Descriptor&, std::int64_t, std::int64_t) { return std::nullopt; }));
}

}  // namespace
}  // namespace hocker::archive
