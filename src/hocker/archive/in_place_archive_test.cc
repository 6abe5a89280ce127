// The docker format written in place from guessed layer sizes (layer_size.h, entry_placer.h):
// the bytes never depend on the guesses, right or wrong.
#include <gtest/gtest.h>

#include <atomic>

#include "hocker/archive/image_archive.h"
#include "hocker/archive/test_image.h"
#include "hocker/base/error.h"

namespace hocker::archive {
namespace {

using testing::gzip;
using testing::gzip_layer;
using testing::layer_tar;
using testing::TempDir;
using testing::TestImage;
using testing::TestLayer;

// These images are small: min_bytes 0 reads their sizes all the same.
std::string write_file(const ImageSource& source, int jobs, std::int64_t min_bytes = 0) {
  TempDir directory;
  std::string path = directory.path + "/image.tar";
  AtomicFile file(path);
  ArchiveOutput output(file);
  WriteOptions options;
  options.jobs = jobs;
  options.in_place_min_bytes = min_bytes;
  options.spool_dir = directory.path;
  write_image_archive(source, options, output);
  file.commit();
  return testing::read_file(path);
}

// Serves ranges of the image's blobs through `tamper`, counting the reads.
BlobRangeReader reader(const TestImage& image, std::atomic<int>& reads,
                       std::function<void(std::string&)> tamper = nullptr) {
  return [&image, &reads, tamper](const image::Descriptor& blob, std::int64_t offset,
                                  std::int64_t length) -> std::optional<std::string> {
    ++reads;
    std::string bytes =
        image.blobs.at(blob.digest.string())
            .substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
    if (tamper) tamper(bytes);
    return bytes;
  };
}

// A big first layer and small later ones: the later ones finish first and wait for it.
TestImage image_of(TestLayer first) {
  TestImage image;
  image.layers = {std::move(first), gzip_layer(2, 20'000), gzip_layer(3, 150'000),
                  gzip_layer(4, 5'000)};
  return image;
}

TEST(InPlaceArchive, GuessedSizesGiveTheSameBytesAsSpooling) {
  TestImage image = image_of(gzip_layer(1, 900'000));
  ImageSource plain = image.source();
  std::string expected = write_file(plain, 1);
  std::atomic<int> reads{0};
  ImageSource guessed = plain;
  guessed.read_range = reader(image, reads);
  EXPECT_EQ(write_file(guessed, 1), expected);
  EXPECT_EQ(reads.load(), 0);  // One layer at a time arrives in order: nothing to guess.
  for (int jobs : {2, 4}) {
    SCOPED_TRACE(jobs);
    EXPECT_EQ(write_file(plain, jobs), expected);
    EXPECT_EQ(write_file(guessed, jobs), expected);
  }
  EXPECT_EQ(reads.load(), 8);  // One read per layer and run.
}

TEST(InPlaceArchive, AnImageBelowTheThresholdIsNotReadAhead) {
  TestImage image = image_of(gzip_layer(1, 900'000));
  ImageSource plain = image.source();
  std::atomic<int> reads{0};
  ImageSource guessed = plain;
  guessed.read_range = reader(image, reads);
  std::int64_t compressed = 0;
  for (const TestLayer& layer : image.layers) compressed += std::ssize(layer.blob);
  EXPECT_EQ(write_file(guessed, 4, compressed + 1), write_file(plain, 4));
  EXPECT_EQ(reads.load(), 0);
  EXPECT_EQ(write_file(guessed, 4, compressed), write_file(plain, 4));
  EXPECT_EQ(reads.load(), 4);
}

TEST(InPlaceArchive, ALayerOfTwoGzipMembersWhoseLastSizeLiesGivesTheSameBytes) {
  TestLayer layer;
  std::string first = layer_tar(1, 600'000);
  std::string second = std::string(1024, '\0');  // The tar trailer, compressed on its own.
  layer.tar = first + second;
  layer.blob = gzip(first) + gzip(second);
  TestImage image = image_of(layer);
  ImageSource plain = image.source();
  std::string expected = write_file(plain, 1);
  std::atomic<int> reads{0};
  ImageSource guessed = plain;
  guessed.read_range = reader(image, reads);
  EXPECT_EQ(write_file(guessed, 4), expected);
  EXPECT_EQ(reads.load(), 4);
}

TEST(InPlaceArchive, SizesReadTooLargeOrTooSmallGiveTheSameBytes) {
  TestImage image = image_of(gzip_layer(1, 900'000));
  ImageSource plain = image.source();
  std::string expected = write_file(plain, 1);
  for (int delta : {-3000, -1, 1, 700}) {
    SCOPED_TRACE(delta);
    std::atomic<int> reads{0};
    ImageSource lied = plain;
    lied.read_range = reader(image, reads, [delta](std::string& tail) {
      std::uint32_t size = 0;
      for (int i = 3; i >= 0; --i) size = (size << 8) | static_cast<unsigned char>(tail[i]);
      size += static_cast<std::uint32_t>(delta);
      for (std::size_t i = 0; i < 4; ++i) tail[i] = static_cast<char>((size >> (8 * i)) & 0xff);
    });
    EXPECT_EQ(write_file(lied, 4), expected);
  }
}

TEST(InPlaceArchive, NoAnswerToTheReadsGivesTheSameBytes) {
  TestImage image = image_of(gzip_layer(1, 400'000));
  ImageSource plain = image.source();
  std::string expected = write_file(plain, 1);
  ImageSource unanswered = plain;
  unanswered.read_range = [](const image::Descriptor&, std::int64_t, std::int64_t) {
    return std::optional<std::string>();
  };
  EXPECT_EQ(write_file(unanswered, 3), expected);
}

TEST(InPlaceArchive, ABlobWithATamperedSizeFailsAsItDoesWithoutGuessing) {
  TestLayer layer = gzip_layer(1, 300'000);
  layer.blob[layer.blob.size() - 1] ^= 0x01;  // ISIZE off by 2^24; the digest is of this blob.
  TestImage image = image_of(layer);
  ImageSource plain = image.source();
  std::atomic<int> reads{0};
  ImageSource guessed = plain;
  guessed.read_range = reader(image, reads);
  auto kind_of = [](const ImageSource& source) {
    try {
      write_file(source, 4);
    } catch (const Error& error) {
      return error.kind();
    }
    return ErrorKind::kInternal;
  };
  EXPECT_EQ(kind_of(plain), ErrorKind::kIntegrity);
  EXPECT_EQ(kind_of(guessed), ErrorKind::kIntegrity);
}

}  // namespace
}  // namespace hocker::archive
