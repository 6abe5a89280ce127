#include "hocker/pull/image_pull.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "hocker/archive/image_archive.h"
#include "hocker/blob/sinks.h"
#include "hocker/pull/test_registry.h"

namespace hocker::pull {
namespace {

using testing::blob_content;
using testing::kind_of;
using testing::ScratchCache;
using testing::TestRegistry;

constexpr const char* kManifestType = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kIndexType = "application/vnd.docker.distribution.manifest.list.v2+json";

std::string config_for(const std::string& os, const std::string& architecture) {
  return R"({"os":")" + os + R"(","architecture":")" + architecture +
         R"(","rootfs":{"type":"layers","diff_ids":[]}})";
}

std::string descriptor_json(const std::string& media_type, const image::Descriptor& blob,
                            const std::string& extra = "") {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + blob.digest.string() +
         R"(","size":)" + std::to_string(blob.size) + extra + "}";
}

/// Serves an image of `layers` (each a blob) whose config is `config`; returns its manifest.
std::string add_image(TestRegistry& registry, const std::string& config,
                      const std::vector<std::string>& layers, const std::string& tag) {
  std::string manifest =
      R"({"schemaVersion":2,"mediaType":")" + std::string(kManifestType) + R"(","config":)" +
      descriptor_json("application/vnd.docker.container.image.v1+json", registry.add_blob(config)) +
      R"(,"layers":[)";
  for (std::size_t i = 0; i < layers.size(); ++i) {
    manifest +=
        (i > 0 ? "," : "") + descriptor_json("application/vnd.docker.image.rootfs.diff.tar.gzip",
                                             registry.add_blob(layers[i]));
  }
  manifest += "]}";
  if (!tag.empty()) registry.add_manifest(tag, manifest, kManifestType);
  registry.add_manifest(digest::sha256(manifest).string(), manifest, kManifestType);
  return manifest;
}

TEST(ImagePull, ResolvesASingleManifestWithOneRequest) {
  TestRegistry registry;
  std::string manifest = add_image(registry, config_for("linux", "amd64"), {"layer"}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"), std::nullopt);
  EXPECT_EQ(pull.resolved().manifest.raw, manifest);
  EXPECT_FALSE(pull.resolved().index.has_value());
  EXPECT_EQ(pull.manifest().layers().size(), 1u);
  EXPECT_EQ(registry.targets(), std::vector<std::string>{"/v2/team/app/manifests/v1"});
}

/// Serves an index named `tag` with one entry per manifest, for the platform linux/<arch>.
void add_index(TestRegistry& registry, const std::string& tag,
               const std::vector<std::pair<std::string, std::string>>& manifests) {
  std::string index =
      R"({"schemaVersion":2,"mediaType":")" + std::string(kIndexType) + R"(","manifests":[)";
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    const auto& [manifest, architecture] = manifests[i];
    image::Descriptor entry{
        "", digest::sha256(manifest), static_cast<std::int64_t>(manifest.size()), {}, {}, {}};
    index += (i > 0 ? "," : "") + descriptor_json(kManifestType, entry,
                                                  R"(,"platform":{"os":"linux","architecture":")" +
                                                      architecture + "\"}");
  }
  registry.add_manifest(tag, index + "]}", kIndexType);
}

TEST(ImagePull, ResolvesAnIndexToTheRequestedPlatform) {
  TestRegistry registry;
  std::string amd64 = add_image(registry, config_for("linux", "amd64"), {"a"}, "");
  std::string arm64 = add_image(registry, config_for("linux", "arm64"), {"b"}, "");
  add_index(registry, "multi", {{amd64, "amd64"}, {arm64, "arm64"}});
  ImagePull pull(registry.client(), registry.reference("multi"),
                 image::Platform::parse("linux/arm64"));
  EXPECT_EQ(pull.resolved().manifest.raw, arm64);
  EXPECT_TRUE(pull.resolved().index.has_value());
  EXPECT_EQ(registry.targets(),
            (std::vector<std::string>{"/v2/team/app/manifests/multi",
                                      "/v2/team/app/manifests/" + digest::sha256(arm64).string()}));
}

TEST(ImagePull, LeavesThePlatformCheckToTheIndexThatChose) {
  TestRegistry registry;
  // The index's word is taken, as docker takes it, whatever the config says.
  std::string odd = add_image(registry, config_for("plan9", "mips"), {}, "");
  add_index(registry, "multi", {{odd, "arm64"}});
  ImagePull pull(registry.client(), registry.reference("multi"),
                 image::Platform::parse("linux/arm64"));
  EXPECT_EQ(pull.fetch_config(nullptr).os(), "plan9");
}

TEST(ImagePull, RefusesAConfigForAnotherPlatformWhenOneWasAsked) {
  TestRegistry registry;
  std::string manifest = add_image(registry, config_for("plan9", "mips"), {}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"),
                 image::Platform::parse("linux/amd64"));
  std::string message;
  EXPECT_EQ(kind_of([&] { pull.fetch_config(nullptr); }, &message), ErrorKind::kNotFound);
  EXPECT_EQ(message, "image " + digest::sha256(manifest).string() +
                         " is for plan9/mips only, not for linux/amd64 (asked with --platform)");
}

TEST(ImagePull, TakesAConfigForAnyPlatformWhenNoneWasAsked) {
  TestRegistry registry;
  add_image(registry, config_for("plan9", "mips"), {}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"), std::nullopt);
  EXPECT_EQ(pull.fetch_config(nullptr).os(), "plan9");
}

TEST(ImagePull, FetchesForeignLayersFromTheirUrlsOnlyWhenAllowed) {
  TestRegistry registry;
  ScratchCache cache;
  std::string content = blob_content(1, 5'000);
  image::Descriptor blob = registry.add_blob(content);
  registry.put("/foreign/layer", content, "application/octet-stream");
  blob.urls = {registry.url("/foreign/layer")};
  add_image(registry, config_for("linux", "amd64"), {}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"), std::nullopt);
  for (ForeignLayers foreign : {ForeignLayers::kFetch, ForeignLayers::kRefuse}) {
    blob::StringSink sink;
    pull.fetch_blob(blob, sink, cache.get(), foreign);
    EXPECT_EQ(sink.data(), content);
  }
  auto targets = registry.targets();
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[1], "/foreign/layer");
  EXPECT_EQ(targets[2], "/v2/team/app/blobs/" + blob.digest.string());
}

TEST(FetchIndex, RefusesASingleImageManifest) {
  TestRegistry registry;
  add_image(registry, config_for("linux", "amd64"), {}, "v1");
  std::string message;
  EXPECT_EQ(kind_of([&] { fetch_index(registry.client(), registry.reference("v1")); }, &message),
            ErrorKind::kFormat);
  EXPECT_NE(message.find("is a single-platform image, not an index"), std::string::npos);
}

TEST(ImageDownload, HelloPullCostsManifestConfigAndLayerRequests) {
  TestRegistry registry;
  std::string layer = blob_content(2, 3'000);
  std::string config = config_for("linux", "amd64");
  add_image(registry, config, {layer}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"), std::nullopt);
  ImageDownload download(pull, {});
  EXPECT_EQ(download.source().config.raw(), config);
  blob::StringSink sink;
  download.source().fetch(pull.manifest().layers()[0], sink);
  EXPECT_EQ(sink.data(), layer);
  auto targets = registry.targets();
  ASSERT_EQ(targets.size(), 3u);
  std::sort(targets.begin() + 1, targets.end());
  std::vector<std::string> expected{"/v2/team/app/blobs/" + digest::sha256(config).string(),
                                    "/v2/team/app/blobs/" + digest::sha256(layer).string()};
  std::sort(expected.begin(), expected.end());
  expected.insert(expected.begin(), "/v2/team/app/manifests/v1");
  EXPECT_EQ(targets, expected);
}

TEST(ImageDownload, NamesTheImageAsDockerPullDoesUnlessTagged) {
  TestRegistry registry;
  add_image(registry, config_for("linux", "amd64"), {}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"), std::nullopt);
  std::string name = registry.client().registry().domain + "/team/app";
  {
    ImageDownload download(pull, {});
    EXPECT_EQ(download.source().repo_tags, std::vector<std::string>{name + ":v1"});
    EXPECT_EQ(download.source().oci_ref_name, "v1");
    EXPECT_EQ(download.source().oci_image_name, name + ":v1");
  }
  DownloadOptions tagged;
  tagged.tag = "mine:latest";
  ImageDownload download(pull, tagged);
  EXPECT_EQ(download.source().repo_tags, std::vector<std::string>{"mine:latest"});
  EXPECT_EQ(download.source().oci_ref_name, "v1");
}

TEST(ImageDownload, JobsDefaultToTheArchiveDefault) {
  TestRegistry registry;
  add_image(registry, config_for("linux", "amd64"), {}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"), std::nullopt);
  EXPECT_EQ(ImageDownload(pull, {}).jobs(), archive::kDefaultJobs);
  DownloadOptions five;
  five.jobs = 5;
  EXPECT_EQ(ImageDownload(pull, five).jobs(), 5);
}

TEST(ImageDownload, AllowsForeignLayersOnlyWhenAskedTo) {
  TestRegistry registry;
  add_image(registry, config_for("linux", "amd64"), {}, "v1");
  ImagePull pull(registry.client(), registry.reference("v1"), std::nullopt);
  EXPECT_FALSE(ImageDownload(pull, {}).source().allow_foreign_layers);
  DownloadOptions allowed;
  allowed.foreign_layers = ForeignLayers::kFetch;
  EXPECT_TRUE(ImageDownload(pull, allowed).source().allow_foreign_layers);
}

}  // namespace
}  // namespace hocker::pull
