// Archives of several images, or several platforms of one image (write_archive).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hocker/archive/image_archive.h"
#include "hocker/archive/test_image.h"
#include "hocker/base/error.h"
#include "hocker/digest/digest.h"
#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

using namespace testing;

WriteOptions options_for(Format format, int jobs = 0) {
  WriteOptions options;
  options.format = format;
  options.jobs = jobs;
  return options;
}

std::string write_file(const std::vector<ImageSource>& images, const WriteOptions& options) {
  return written_to_file([&](ArchiveOutput& output) { write_archive(images, options, output); });
}

std::string write_stream(const std::vector<ImageSource>& images, const WriteOptions& options) {
  return written_to_stream([&](ArchiveOutput& output) { write_archive(images, options, output); });
}

std::size_t count_named(const std::vector<TarEntry>& entries, const std::string& name) {
  return static_cast<std::size_t>(std::count_if(
      entries.begin(), entries.end(), [&](const TarEntry& entry) { return entry.name == name; }));
}

const TarEntry& entry_named(const std::vector<TarEntry>& entries, const std::string& name) {
  for (const TarEntry& entry : entries) {
    if (entry.name == name) return entry;
  }
  throw std::runtime_error("no entry " + name);
}

// Two images sharing their base layer, fetched through one recording fetcher.
struct TwoImages {
  TestLayer base = gzip_layer(1, 30'000);
  TestImage first;
  TestImage second;
  std::vector<ImageSource> sources;

  TwoImages() {
    first.layers = {base, gzip_layer(2, 1000)};
    second.layers = {base, gzip_layer(3, 2000)};
    second.fetched = first.fetched;
    sources = {first.source(), second.source()};
    sources[1].repo_tags = {"example.com:5000/team/other:2"};
    sources[1].oci_ref_name = "2";
    sources[1].oci_image_name = "example.com:5000/team/other:2";
  }
  std::size_t fetches_of_base() const {
    std::string digest = digest::sha256(base.blob).string();
    return static_cast<std::size_t>(
        std::count(first.fetched->begin(), first.fetched->end(), digest));
  }
};

std::string diff_id_hex(const TestLayer& layer) {
  return digest::sha256(layer.tar).hex();
}

TEST(BundleArchive, DockerFormatListsEveryImageAndStoresASharedLayerOnce) {
  TwoImages images;
  auto entries = read_tar(write_file(images.sources, options_for(Format::kDocker)));
  auto manifest = nlohmann::json::parse(entries[0].content);
  ASSERT_EQ(manifest.size(), 2U);
  EXPECT_EQ(manifest[0]["RepoTags"], nlohmann::json({"example.com:5000/team/app:1.0"}));
  EXPECT_EQ(manifest[1]["RepoTags"], nlohmann::json({"example.com:5000/team/other:2"}));
  EXPECT_EQ(manifest[0]["Layers"][0], diff_id_hex(images.base) + ".tar");
  EXPECT_EQ(manifest[1]["Layers"][0], diff_id_hex(images.base) + ".tar");
  EXPECT_EQ(count_named(entries, diff_id_hex(images.base) + ".tar"), 1U);
  EXPECT_EQ(entries.size(), 1U + 2U + 3U);  // manifest.json, two configs, three layers.
  EXPECT_EQ(images.fetches_of_base(), 1U);
}

TEST(BundleArchive, OciFormatListsEveryImageWithItsNamesAndStoresASharedLayerOnce) {
  TwoImages images;
  auto entries = read_tar(write_file(images.sources, options_for(Format::kOci)));
  auto index = nlohmann::json::parse(entry_named(entries, "index.json").content);
  ASSERT_EQ(index["manifests"].size(), 2U);
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "1.0");
  EXPECT_EQ(index["manifests"][1]["annotations"]["io.containerd.image.name"],
            "example.com:5000/team/other:2");
  EXPECT_EQ(count_named(entries, "blobs/sha256/" + digest::sha256(images.base.blob).hex()), 1U);
  EXPECT_EQ(images.fetches_of_base(), 1U);
  auto manifest = nlohmann::json::parse(entry_named(entries, "manifest.json").content);
  EXPECT_EQ(manifest.size(), 2U);
}

TEST(BundleArchive, ANameClaimedTwiceStaysWithTheFirstImage) {
  TwoImages images;
  images.sources[1].repo_tags = {"example.com:5000/team/app:1.0", "extra:1"};
  auto entries = read_tar(write_file(images.sources, options_for(Format::kDocker)));
  auto manifest = nlohmann::json::parse(entries[0].content);
  EXPECT_EQ(manifest[0]["RepoTags"], nlohmann::json({"example.com:5000/team/app:1.0"}));
  EXPECT_EQ(manifest[1]["RepoTags"], nlohmann::json({"extra:1"}));
}

TEST(BundleArchive, FileAndStreamOutputsAreIdenticalForEveryJobCount) {
  for (Format format : {Format::kDocker, Format::kOci}) {
    TwoImages images;
    std::string first = write_file(images.sources, options_for(format));
    for (int jobs : {1, 2, 4}) {
      SCOPED_TRACE(jobs);
      EXPECT_EQ(write_file(images.sources, options_for(format, jobs)), first);
      EXPECT_EQ(write_stream(images.sources, options_for(format, jobs)), first);
    }
  }
}

// Two platforms of one image, as pull::PlatformDownloads makes them.
struct TwoPlatforms {
  TestImage amd64;
  TestImage arm64;
  std::vector<ImageSource> sources;

  TwoPlatforms() {
    amd64.layers = {gzip_layer(1, 1000)};
    arm64.layers = {gzip_layer(2, 1000)};
    arm64.architecture = "arm64";
    sources = {amd64.source(), arm64.source()};
    sources[0].platform = image::Platform{"linux", "amd64", ""};
    sources[1].platform = image::Platform{"linux", "arm64", "v8"};
    sources[1].repo_tags.clear();
  }
  // The docker manifest list both came from.
  std::shared_ptr<const image::Index> index() const {
    auto entry = [](const ImageSource& source, const std::string& platform) {
      return R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":")" +
             source.manifest.digest().string() + R"(","size":)" +
             std::to_string(source.manifest.raw().size()) + R"(,"platform":)" + platform + "}";
    };
    return std::make_shared<const image::Index>(image::Index::parse(
        R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.)"
        R"(v2+json","manifests":[)" +
        entry(sources[0], R"({"architecture":"amd64","os":"linux"})") + "," +
        entry(sources[1], R"({"architecture":"arm64","os":"linux","variant":"v8"})") + "]}"));
  }
};

TEST(BundleArchive, PlatformsOfOneImageAreOneNamedEntryForANestedIndexOfTheirManifests) {
  TwoPlatforms image;
  auto entries = read_tar(write_file(image.sources, options_for(Format::kOci)));
  auto top = nlohmann::json::parse(entry_named(entries, "index.json").content);
  ASSERT_EQ(top["manifests"].size(), 1U);
  const auto& named = top["manifests"][0];
  EXPECT_EQ(named["mediaType"], image::media_type::kOciIndex);
  EXPECT_FALSE(named.contains("platform"));
  EXPECT_EQ(named["annotations"]["org.opencontainers.image.ref.name"], "1.0");
  EXPECT_EQ(named["annotations"]["io.containerd.image.name"], "example.com:5000/team/app:1.0");
  std::string nested_path =
      "blobs/sha256/" + named["digest"].get<std::string>().substr(std::string("sha256:").size());
  const std::string& raw = entry_named(entries, nested_path).content;
  EXPECT_EQ(digest::sha256(raw).string(), named["digest"]);
  EXPECT_EQ(named["size"], raw.size());
  auto index = nlohmann::json::parse(raw);
  ASSERT_EQ(index["manifests"].size(), 2U);
  EXPECT_EQ(index["manifests"][0]["platform"],
            nlohmann::json({{"architecture", "amd64"}, {"os", "linux"}}));
  EXPECT_EQ(index["manifests"][1]["platform"],
            nlohmann::json({{"architecture", "arm64"}, {"os", "linux"}, {"variant", "v8"}}));
  for (const auto& entry : index["manifests"]) {
    EXPECT_EQ(entry["mediaType"], image::media_type::kOciManifest);
    EXPECT_FALSE(entry.contains("annotations") &&
                 entry["annotations"].contains("org.opencontainers.image.ref.name"));
  }
  auto manifest = nlohmann::json::parse(entry_named(entries, "manifest.json").content);
  EXPECT_EQ(manifest[0]["RepoTags"], nlohmann::json({"example.com:5000/team/app:1.0"}));
  EXPECT_TRUE(manifest[1]["RepoTags"].is_null());
}

TEST(BundleArchive, PreservedWholeIndexIsStoredAsItIsAndNamedOnce) {
  TwoPlatforms image;
  auto index = image.index();
  for (ImageSource& source : image.sources) source.whole_index = index;
  WriteOptions options = options_for(Format::kOci);
  options.manifest_digests = ManifestDigests::kPreserve;
  auto entries = read_tar(write_file(image.sources, options));
  auto index_json = nlohmann::json::parse(entry_named(entries, "index.json").content);
  ASSERT_EQ(index_json["manifests"].size(), 1U);
  const auto& entry = index_json["manifests"][0];
  EXPECT_EQ(entry["mediaType"], image::media_type::kDockerManifestList);
  EXPECT_EQ(entry["digest"], index->digest().string());
  EXPECT_FALSE(entry.contains("platform"));
  EXPECT_EQ(entry["annotations"]["org.opencontainers.image.ref.name"], "1.0");
  EXPECT_EQ(entry_named(entries, "blobs/sha256/" + index->digest().hex()).content, index->raw());
  for (const ImageSource& source : image.sources) {
    EXPECT_EQ(entry_named(entries, "blobs/sha256/" + source.manifest.digest().hex()).content,
              source.manifest.raw());
  }
}

TEST(BundleArchive, PreservedWholeIndexMissingAnEntryIsRefused) {
  TwoPlatforms image;
  auto index = image.index();
  image.sources.pop_back();
  image.sources[0].whole_index = index;
  WriteOptions options = options_for(Format::kOci);
  options.manifest_digests = ManifestDigests::kPreserve;
  try {
    write_file(image.sources, options);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    EXPECT_NE(std::string(error.what()).find("cannot be preserved"), std::string::npos);
  }
}

TEST(BundleArchive, WithoutPreserveDigestsAWholeIndexIsWrittenAnewNotStored) {
  TwoPlatforms image;
  auto index = image.index();
  for (ImageSource& source : image.sources) source.whole_index = index;
  auto entries = read_tar(write_file(image.sources, options_for(Format::kOci)));
  auto index_json = nlohmann::json::parse(entry_named(entries, "index.json").content);
  ASSERT_EQ(index_json["manifests"].size(), 1U);
  EXPECT_NE(index_json["manifests"][0]["digest"], index->digest().string());
  EXPECT_EQ(count_named(entries, "blobs/sha256/" + index->digest().hex()), 0U);
}

}  // namespace
}  // namespace hocker::archive
