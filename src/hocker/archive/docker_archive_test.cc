#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "hocker/archive/image_archive.h"
#include "hocker/archive/test_image.h"
#include "hocker/base/error.h"
#include "hocker/base/unique_fd.h"

namespace hocker::archive {
namespace {

using namespace testing;

std::string write_file(const ImageSource& source, const WriteOptions& options) {
  return written_to_file(
      [&](ArchiveOutput& output) { write_image_archive(source, options, output); });
}

// Through a pipe: a stream that cannot seek.
std::string write_stream(const ImageSource& source, const WriteOptions& options) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  std::string received;
  std::thread reader([&] {
    char buffer[65536];
    ssize_t got;
    while ((got = ::read(read_end.get(), buffer, sizeof buffer)) > 0) {
      received.append(buffer, static_cast<std::size_t>(got));
    }
  });
  ArchiveOutput output(write_end.get(), "standard output");
  try {
    write_image_archive(source, options, output);
  } catch (...) {
    write_end.reset();  // The reader sees EOF and ends.
    reader.join();
    throw;
  }
  write_end.reset();
  reader.join();
  return received;
}

std::vector<std::string> names(const std::vector<TarEntry>& entries) {
  std::vector<std::string> result;
  for (const auto& entry : entries) result.push_back(entry.name);
  return result;
}

std::string hex_of(const std::string& data) {
  return digest::sha256(data).hex();
}

ErrorKind failure(const ImageSource& source, const WriteOptions& options, std::string* message) {
  try {
    write_file(source, options);
  } catch (const Error& error) {
    *message = error.what();
    return error.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::kInternal;
}

TEST(DockerArchive, HoldsManifestConfigAndDecompressedLayersInOrderWithoutRepositories) {
  TestImage image;
  image.layers = {gzip_layer(1, 100'000), gzip_layer(2, 3000), gzip_layer(3, 50'000)};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, {}));
  std::string config_hex = source.config.digest().hex();
  EXPECT_EQ(names(entries),
            (std::vector<std::string>{
                "manifest.json", config_hex + ".json", hex_of(image.layers[0].tar) + ".tar",
                hex_of(image.layers[1].tar) + ".tar", hex_of(image.layers[2].tar) + ".tar"}));
  EXPECT_EQ(entries[1].content, source.config.raw());
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(entries[2 + i].content, image.layers[i].tar);
  for (const auto& entry : entries) EXPECT_EQ(entry.mode, 0644U);
}

TEST(DockerArchive, ManifestJsonNamesConfigTagsAndLayers) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 2000)};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, {}));
  auto manifest = nlohmann::json::parse(entries[0].content);
  ASSERT_TRUE(manifest.is_array());
  ASSERT_EQ(manifest.size(), 1U);
  EXPECT_EQ(manifest[0]["Config"], source.config.digest().hex() + ".json");
  EXPECT_EQ(manifest[0]["RepoTags"], nlohmann::json({"example.com:5000/team/app:1.0"}));
  EXPECT_EQ(manifest[0]["Layers"], nlohmann::json({hex_of(image.layers[0].tar) + ".tar",
                                                   hex_of(image.layers[1].tar) + ".tar"}));
}

TEST(DockerArchive, StoresARepeatedLayerOnce) {
  TestImage image;
  TestLayer shared = gzip_layer(1, 5000);
  image.layers = {shared, gzip_layer(2, 5000), shared};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, {}));
  EXPECT_EQ(entries.size(), 4U);  // manifest.json, the config, two layers.
  auto manifest = nlohmann::json::parse(entries[0].content);
  EXPECT_EQ(manifest[0]["Layers"].size(), 3U);
  EXPECT_EQ(manifest[0]["Layers"][0], manifest[0]["Layers"][2]);
}

TEST(DockerArchive, StoresAnEmptyLayer) {
  TestImage image;
  TestLayer empty;
  empty.blob = testing::gzip("");
  image.layers = {gzip_layer(1, 5000), empty};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, {}));
  ASSERT_EQ(entries.size(), 4U);
  EXPECT_EQ(entries[3].name, hex_of("") + ".tar");
  EXPECT_EQ(entries[3].content, "");
}

TEST(DockerArchive, IsByteIdenticalAcrossRunsJobsAndOutputs) {
  TestImage image;
  image.layers = {gzip_layer(1, 400'000), gzip_layer(2, 10), gzip_layer(3, 700'000),
                  gzip_layer(4, 300'000)};
  ImageSource source = image.source();
  std::string first = write_file(source, {});
  for (int jobs : {1, 2, 4}) {
    SCOPED_TRACE(jobs);
    WriteOptions options;
    options.jobs = jobs;
    EXPECT_EQ(write_file(source, options), first);
    EXPECT_EQ(write_stream(source, options), first);
  }
}

TEST(DockerArchive, GzipOutputDecompressesToThePlainArchive) {
  TestImage image;
  image.layers = {gzip_layer(1, 100'000), gzip_layer(2, 50'000)};
  ImageSource source = image.source();
  WriteOptions options;
  options.gzip = true;
  std::string compressed = write_stream(source, options);
  blob::StringSink plain;
  auto decompressor = blob::make_decompressor("archive", plain);
  decompressor->write(testing::bytes_of(compressed));
  decompressor->finish();
  EXPECT_EQ(plain.data(), write_file(source, {}));
  EXPECT_EQ(write_file(source, options), compressed);
}

TEST(DockerArchive, WrongDiffIdIsAnIntegrityErrorNamingBothDigests) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 1000)};
  std::string wrong = digest::sha256("something else").string();
  image.diff_ids = {digest::sha256(image.layers[0].tar).string(), wrong};
  ImageSource source = image.source();
  std::string message;
  EXPECT_EQ(failure(source, {}, &message), ErrorKind::kIntegrity);
  EXPECT_NE(message.find("layer " + digest::sha256(image.layers[1].blob).string()),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("expected " + wrong), std::string::npos) << message;
  EXPECT_NE(message.find("got " + digest::sha256(image.layers[1].tar).string()), std::string::npos)
      << message;
}

TEST(DockerArchive, WrongBlobIsAnIntegrityError) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 1000)};
  ImageSource source = image.source();
  std::string& blob = image.blobs[digest::sha256(image.layers[1].blob).string()];
  blob = image.layers[0].blob.substr(0, blob.size());  // Same size, other bytes.
  std::string message;
  EXPECT_EQ(failure(source, {}, &message), ErrorKind::kIntegrity);
  EXPECT_NE(message.find(digest::sha256(image.layers[1].blob).string()), std::string::npos)
      << message;
}

TEST(DockerArchive, DiffIdCountUnlikeLayerCountIsAFormatError) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 1000)};
  image.diff_ids = {digest::sha256(image.layers[0].tar).string()};
  std::string message;
  EXPECT_EQ(failure(image.source(), {}, &message), ErrorKind::kFormat);
  EXPECT_NE(message.find("2 layers"), std::string::npos) << message;
}

TEST(DockerArchive, ForeignLayersAreRefusedWithAClearMessage) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000)};
  image.layer_extra = R"(,"urls":["https://example.com/layer"])";
  std::string message;
  EXPECT_EQ(failure(image.source(), {}, &message), ErrorKind::kFormat);
  EXPECT_NE(message.find("foreign"), std::string::npos) << message;
  EXPECT_NE(message.find("--allow-foreign-layers"), std::string::npos) << message;
}

TEST(DockerArchive, ForeignLayersAreHandedToTheFetcherWhenAllowed) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000)};
  image.layer_extra = R"(,"urls":["https://example.com/layer"])";
  ImageSource source = image.source();
  source.allow_foreign_layers = true;
  EXPECT_NE(write_file(source, {}).find(digest::sha256(image.layers[0].tar).hex() + ".tar"),
            std::string::npos);
}

TEST(DockerArchive, AFailingFetcherStopsTheOthersAndItsErrorIsRethrown) {
  TestImage image;
  for (unsigned i = 0; i < 6; ++i) image.layers.push_back(gzip_layer(i, 50'000));
  ImageSource source = image.source();
  std::string failing = digest::sha256(image.layers[2].blob).string();
  std::atomic<bool> failed{false};
  source.fetch = [&](const image::Descriptor& blob, ByteSink& sink) {
    if (blob.digest.string() == failing) {
      failed = true;
      throw Error(ErrorKind::kNetwork, "GET blob: connection reset");
    }
    // The others keep writing until told to stop (or the blob ends, if they started late).
    const std::string& data = image.blobs.at(blob.digest.string());
    while (!failed) sink.write(testing::bytes_of(""));
    for (std::size_t at = 0; at < data.size(); at += 100) {
      sink.write(testing::bytes_of(std::string_view(data).substr(at, 100)));
    }
  };
  for (bool stream : {false, true}) {
    failed = false;
    WriteOptions options;
    options.jobs = 3;
    try {
      stream ? write_stream(source, options) : write_file(source, options);
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
      EXPECT_STREQ(error.what(), "GET blob: connection reset");
    }
  }
}

TEST(DockerArchive, LeavesNothingInTheSpoolDirectory) {
  TestImage image;
  for (unsigned i = 0; i < 5; ++i) image.layers.push_back(gzip_layer(i, 300'000));
  ImageSource source = image.source();
  TempDir spool;
  WriteOptions options;
  options.jobs = 4;
  options.spool_dir = spool.path;
  std::string expected = write_file(source, {});
  EXPECT_EQ(write_file(source, options), expected);
  EXPECT_EQ(write_stream(source, options), expected);
  EXPECT_EQ(std::system(("test -z \"$(ls -A '" + spool.path + "')\"").c_str()), 0);
}

class RecordingProgress final : public ProgressObserver {
 public:
  void image_started(std::size_t layers, std::int64_t total_bytes) override {
    std::lock_guard lock(mutex);
    events.push_back("image " + std::to_string(layers) + " " + std::to_string(total_bytes));
  }
  void layer_started(std::size_t index, const std::string&, std::int64_t) override {
    std::lock_guard lock(mutex);
    events.push_back("start " + std::to_string(index));
  }
  void layer_progress(std::size_t, std::int64_t bytes) override { total += bytes; }
  void layer_finished(std::size_t index, const std::string& written, bool decompressed) override {
    std::lock_guard lock(mutex);
    events.push_back("finish " + std::to_string(index) + " " + written +
                     (decompressed ? " decompressed" : ""));
  }
  std::mutex mutex;
  std::vector<std::string> events;
  std::atomic<std::int64_t> total{0};
};

TEST(DockerArchive, ReportsProgressPerLayer) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 1000)};
  ImageSource source = image.source();
  RecordingProgress progress;
  WriteOptions options;
  options.jobs = 1;
  options.progress = &progress;
  write_file(source, options);
  EXPECT_EQ(
      progress.events,
      (std::vector<std::string>{
          "image 2 " + std::to_string(image.layers[0].blob.size() + image.layers[1].blob.size()),
          "start 0", "finish 0 " + digest::sha256(image.layers[0].tar).string() + " decompressed",
          "start 1",
          "finish 1 " + digest::sha256(image.layers[1].tar).string() + " decompressed"}));
  EXPECT_EQ(progress.total.load(),
            static_cast<std::int64_t>(image.layers[0].blob.size() + image.layers[1].blob.size()));
}

TEST(DockerArchive, UncompressedAndZstdLabelledGzipLayersAreHandledByContent) {
  TestImage image;
  TestLayer raw;
  raw.tar = raw.blob = testing::layer_tar(7, 2000);
  raw.media_type = std::string(image::media_type::kOciLayer);
  TestLayer lying = gzip_layer(8, 2000);
  lying.media_type = std::string(image::media_type::kOciLayerZstd);
  image.layers = {raw, lying};
  auto entries = read_tar(write_file(image.source(), {}));
  ASSERT_EQ(entries.size(), 4U);
  EXPECT_EQ(entries[2].content, raw.tar);
  EXPECT_EQ(entries[3].content, lying.tar);
}

}  // namespace
}  // namespace hocker::archive
