#include "cli/image_summary.h"

#include <gtest/gtest.h>

#include "cli/image_summary_test_data.h"

namespace hocker::cli {
namespace {

using testing::kConfigWithEverything;
using testing::resolved_image;

TEST(SummarizeImage, ReadsCreatedCommandEnvAndLabelsFromTheConfig) {
  auto [resolved, config] = resolved_image(kConfigWithEverything, false);
  ImageSummary summary =
      summarize_image(ref::Reference::parse("example.com/team/app:v1"), resolved, config);
  EXPECT_EQ(summary.created, "2024-05-01T12:00:00Z");
  EXPECT_EQ(summary.entrypoint, (std::vector<std::string>{"/app", "--serve"}));
  EXPECT_EQ(summary.cmd, (std::vector<std::string>{"8080"}));
  EXPECT_EQ(summary.env, (std::vector<std::string>{"PATH=/bin", "MODE=prod"}));
  EXPECT_EQ(summary.labels, (std::map<std::string, std::string>{{"a", "1"}, {"b", "two"}}));
  EXPECT_EQ(summary.os + "/" + summary.architecture + "/" + summary.variant, "linux/arm64/v8");
}

TEST(SummarizeImage, CountsLayersAndSumsTheirSizes) {
  auto [resolved, config] = resolved_image(kConfigWithEverything, false);
  ImageSummary summary =
      summarize_image(ref::Reference::parse("example.com/team/app:v1"), resolved, config);
  ASSERT_EQ(summary.layers.size(), 2u);
  EXPECT_EQ(summary.layers[0].size, 100);
  EXPECT_EQ(summary.layers[1].size, 2000);
  EXPECT_EQ(summary.total_size, 2100);
  EXPECT_EQ(summary.layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
}

TEST(SummarizeImage, TreatsFieldsOfTheWrongTypeAsAbsent) {
  auto [resolved, config] = resolved_image(
      R"({"created":5,"config":{"Entrypoint":null,"Cmd":"sh","Env":{},"Labels":[1]},)"
      R"("rootfs":{"type":"layers","diff_ids":[]}})",
      false);
  ImageSummary summary =
      summarize_image(ref::Reference::parse("example.com/team/app:v1"), resolved, config);
  EXPECT_FALSE(summary.created);
  EXPECT_FALSE(summary.entrypoint);
  EXPECT_FALSE(summary.cmd);
  EXPECT_TRUE(summary.env.empty());
  EXPECT_TRUE(summary.labels.empty());
  EXPECT_TRUE(summary.os.empty());
}

TEST(SummarizeImage, ASingleImageHasNoPlatformsAndItsOwnDigest) {
  auto [resolved, config] = resolved_image(kConfigWithEverything, false);
  ImageSummary summary =
      summarize_image(ref::Reference::parse("example.com/team/app:v1"), resolved, config);
  EXPECT_TRUE(summary.platforms.empty());
  EXPECT_EQ(summary.digest, resolved.manifest.digest.string());
  EXPECT_EQ(summary.manifest_digest, summary.digest);
  EXPECT_EQ(summary.name, "example.com/team/app:v1");
}

TEST(SummarizeImage, AManifestWithoutMediaTypeTakesTheContentTypeWithoutParameters) {
  auto [resolved, config] = resolved_image(kConfigWithEverything, false);
  resolved.manifest.content_type = "application/vnd.docker.distribution.manifest.v2+json ; q=1";
  EXPECT_EQ(summarize_image(ref::Reference::parse("a.io/b:c"), resolved, config).media_type,
            "application/vnd.docker.distribution.manifest.v2+json");
}

TEST(SummarizeImage, AnOciManifestWithoutMediaTypeOrContentTypeIsAnOciManifest) {
  auto [resolved, config] = resolved_image(kConfigWithEverything, false);
  resolved.manifest.content_type.clear();
  EXPECT_EQ(manifest_media_type(resolved), "application/vnd.oci.image.manifest.v1+json");
}

TEST(SummarizeImage, MarksTheIndexEntryThatWasChosen) {
  auto [resolved, config] = resolved_image(kConfigWithEverything, true);
  ImageSummary summary = summarize_image(ref::Reference::parse("a.io/b:c"), resolved, config);
  ASSERT_EQ(summary.platforms.size(), 2u);
  EXPECT_EQ(summary.platforms[0].platform, "linux/amd64");
  EXPECT_FALSE(summary.platforms[0].selected);
  EXPECT_EQ(summary.platforms[1].platform, "linux/arm64/v8");
  EXPECT_TRUE(summary.platforms[1].selected);
  EXPECT_EQ(summary.platforms[1].digest, resolved.manifest.digest.string());
  EXPECT_EQ(summary.digest, resolved.index->digest.string());
  EXPECT_EQ(summary.media_type, "application/vnd.oci.image.index.v1+json");
}

}  // namespace
}  // namespace hocker::cli
