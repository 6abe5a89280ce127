#include "hocker/push/archive_manifest.h"

#include <gtest/gtest.h>

#include "hocker/base/test_support.h"

namespace hocker::push {
namespace {

using test_support::kind_of;

TEST(ParseArchiveManifest, ReadsConfigLayersAndRepoTags) {
  auto images = parse_archive_manifest(
      R"([{"Config":"./abc.json","RepoTags":["example/hello:1.0"],"Layers":["l1/layer.tar","l2/layer.tar"]}])");
  ASSERT_EQ(images.size(), 1U);
  EXPECT_EQ(images[0].config, "abc.json");
  EXPECT_EQ(images[0].layers, (std::vector<std::string>{"l1/layer.tar", "l2/layer.tar"}));
  EXPECT_EQ(images[0].repo_tags, std::vector<std::string>{"example/hello:1.0"});
}

TEST(ParseArchiveManifest, RefusesMalformedAndHostileDocuments) {
  struct Case {
    const char* raw;
  } cases[] = {
      {"{}"},
      {"[]"},
      {"not json"},
      {R"([{"Layers":[]}])"},
      {R"([{"Config":5}])"},
      {R"([{"Config":"../../etc/passwd"}])"},
      {R"([{"Config":"c.json","Layers":["/abs/layer.tar"]}])"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.raw);
    EXPECT_EQ(kind_of([&] { parse_archive_manifest(c.raw); }), ErrorKind::kFormat);
  }
}

const PushedBlob kConfig{digest::sha256("config"), 6};

TEST(BuildManifest, WritesDockerSchema2ForGzipLayers) {
  PushedBlob layer{digest::sha256("layer"), 5, Compression::kGzip};
  BuiltManifest manifest = build_manifest(ManifestFormat::kAuto, kConfig, {layer});
  EXPECT_EQ(manifest.media_type, "application/vnd.docker.distribution.manifest.v2+json");
  EXPECT_EQ(
      manifest.raw,
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":6,)"
      R"("digest":")" +
          kConfig.digest.string() +
          R"("},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip",)"
          R"("size":5,"digest":")" +
          layer.digest.string() + R"("}]})");
}

TEST(BuildManifest, ChoosesOciForZstdLayers) {
  PushedBlob layer{digest::sha256("layer"), 5, Compression::kZstd};
  BuiltManifest manifest = build_manifest(ManifestFormat::kAuto, kConfig, {layer});
  EXPECT_EQ(manifest.media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_NE(manifest.raw.find("application/vnd.oci.image.layer.v1.tar+zstd"), std::string::npos);
  EXPECT_NE(manifest.raw.find("application/vnd.oci.image.config.v1+json"), std::string::npos);
}

TEST(BuildManifest, RefusesZstdLayersInDockerFormat) {
  PushedBlob layer{digest::sha256("layer"), 5, Compression::kZstd};
  EXPECT_EQ(kind_of([&] { build_manifest(ManifestFormat::kDocker, kConfig, {layer}); }),
            ErrorKind::kUsage);
}

TEST(BuildManifest, WritesOciTypesForGzipWhenAsked) {
  PushedBlob layer{digest::sha256("layer"), 5, Compression::kGzip};
  BuiltManifest manifest = build_manifest(ManifestFormat::kOci, kConfig, {layer});
  EXPECT_NE(manifest.raw.find("application/vnd.oci.image.layer.v1.tar+gzip"), std::string::npos);
}

}  // namespace
}  // namespace hocker::push
