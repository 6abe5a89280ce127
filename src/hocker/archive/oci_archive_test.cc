#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "hocker/archive/image_archive.h"
#include "hocker/archive/oci_encoding.h"
#include "hocker/archive/test_image.h"
#include "hocker/base/error.h"

namespace hocker::archive {
namespace {

using namespace testing;

WriteOptions oci(int jobs = 0) {
  WriteOptions options;
  options.format = Format::kOci;
  options.jobs = jobs;
  return options;
}

std::string write_file(const ImageSource& source, const WriteOptions& options) {
  return written_to_file(
      [&](ArchiveOutput& output) { write_image_archive(source, options, output); });
}

std::string write_stream(const ImageSource& source, const WriteOptions& options) {
  return written_to_stream(
      [&](ArchiveOutput& output) { write_image_archive(source, options, output); });
}

std::string path_of(const std::string& data) {
  return "blobs/sha256/" + digest::sha256(data).hex();
}

TEST(OciArchive, HoldsTheLayoutWithBlobsAsTheRegistrySentThem) {
  TestImage image;
  image.manifest_media_type = std::string(image::media_type::kOciManifest);
  image.config_media_type = std::string(image::media_type::kOciConfig);
  image.layers = {gzip_layer(1, 20'000), gzip_layer(2, 777), gzip_layer(1, 20'000)};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, oci()));
  std::vector<std::string> expected = {"oci-layout",
                                       "index.json",
                                       "manifest.json",
                                       "blobs/",
                                       "blobs/sha256/",
                                       path_of(source.manifest.raw()),
                                       path_of(source.config.raw()),
                                       path_of(image.layers[0].blob),
                                       path_of(image.layers[1].blob)};
  ASSERT_EQ(entries.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(entries[i].name, expected[i]);
  EXPECT_EQ(entries[0].content, "{\"imageLayoutVersion\":\"1.0.0\"}\n");
  EXPECT_EQ(entries[3].type, '5');
  EXPECT_EQ(entries[3].mode, 0755U);
  EXPECT_EQ(entries[5].content, source.manifest.raw());
  EXPECT_EQ(entries[6].content, source.config.raw());
  EXPECT_EQ(entries[7].content, image.layers[0].blob);
  EXPECT_EQ(entries[8].content, image.layers[1].blob);
}

TEST(OciArchive, IndexJsonDescribesAnOciManifestAsItIsWithPlatformAndNames) {
  TestImage image;
  image.manifest_media_type = std::string(image::media_type::kOciManifest);
  image.layers = {gzip_layer(1, 1000)};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, oci()));
  auto index = nlohmann::json::parse(entries[1].content);
  EXPECT_EQ(index["schemaVersion"], 2);
  EXPECT_EQ(index["mediaType"], image::media_type::kOciIndex);
  ASSERT_EQ(index["manifests"].size(), 1U);
  const auto& descriptor = index["manifests"][0];
  EXPECT_EQ(descriptor["mediaType"], image::media_type::kOciManifest);
  EXPECT_EQ(descriptor["digest"], source.manifest.digest().string());
  EXPECT_EQ(descriptor["size"], source.manifest.raw().size());
  EXPECT_EQ(descriptor["platform"], nlohmann::json({{"architecture", "amd64"}, {"os", "linux"}}));
  EXPECT_EQ(descriptor["annotations"],
            nlohmann::json({{"io.containerd.image.name", "example.com:5000/team/app:1.0"},
                            {"org.opencontainers.image.ref.name", "1.0"}}));
}

TEST(OciArchive, ReencodesADockerManifestWithOciTypesAndRecordsTheOriginalDigest) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 500)};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, oci()));
  auto index = nlohmann::json::parse(entries[1].content);
  const auto& descriptor = index["manifests"][0];
  EXPECT_EQ(descriptor["mediaType"], image::media_type::kOciManifest);
  EXPECT_EQ(descriptor["annotations"]["io.github.hocker.original-manifest-digest"],
            source.manifest.digest().string());
  std::string stored = reencode_as_oci(source.manifest).raw();
  EXPECT_EQ(descriptor["digest"], digest::sha256(stored).string());
  EXPECT_EQ(entries[5].name, path_of(stored));
  EXPECT_EQ(entries[5].content, stored);
  EXPECT_EQ(entries[6].content, source.config.raw());  // Config and layers byte-identical.
  EXPECT_EQ(entries[7].content, image.layers[0].blob);
  for (const auto& entry : entries) EXPECT_NE(entry.name, path_of(source.manifest.raw()));
}

TEST(OciArchive, PreserveDigestsKeepsTheRegistrysDockerManifest) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000)};
  ImageSource source = image.source();
  WriteOptions options = oci();
  options.manifest_digests = ManifestDigests::kPreserve;
  auto entries = read_tar(write_file(source, options));
  auto index = nlohmann::json::parse(entries[1].content);
  const auto& descriptor = index["manifests"][0];
  EXPECT_EQ(descriptor["mediaType"], image::media_type::kDockerManifest);
  EXPECT_EQ(descriptor["digest"], source.manifest.digest().string());
  EXPECT_FALSE(descriptor["annotations"].contains("io.github.hocker.original-manifest-digest"));
  EXPECT_EQ(entries[5].content, source.manifest.raw());
}

TEST(OciArchive, DockerManifestJsonPointsAtTheBlobs) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 1000)};
  ImageSource source = image.source();
  auto entries = read_tar(write_file(source, oci()));
  auto manifest = nlohmann::json::parse(entries[2].content);
  EXPECT_EQ(manifest[0]["Config"], path_of(source.config.raw()));
  EXPECT_EQ(manifest[0]["Layers"],
            nlohmann::json({path_of(image.layers[0].blob), path_of(image.layers[1].blob)}));
  EXPECT_EQ(manifest[0]["RepoTags"], nlohmann::json({"example.com:5000/team/app:1.0"}));
}

TEST(OciArchive, FileAndStreamOutputsAreIdentical) {
  TestImage image;
  image.layers = {gzip_layer(1, 300'000), gzip_layer(2, 5), gzip_layer(3, 200'000)};
  ImageSource source = image.source();
  std::string first = write_file(source, oci());
  for (int jobs : {1, 2, 5}) {
    SCOPED_TRACE(jobs);
    EXPECT_EQ(write_file(source, oci(jobs)), first);
    EXPECT_EQ(write_stream(source, oci(jobs)), first);
  }
}

TEST(OciArchive, StillVerifiesEachBlob) {
  TestImage image;
  image.layers = {gzip_layer(1, 1000), gzip_layer(2, 1000)};
  ImageSource source = image.source();
  image.blobs[digest::sha256(image.layers[0].blob).string()] += "x";
  try {
    write_file(source, oci());
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
    EXPECT_NE(std::string(error.what()).find("size mismatch"), std::string::npos);
  }
}

}  // namespace
}  // namespace hocker::archive
