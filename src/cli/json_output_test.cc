#include "cli/json_output.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/image_summary_test_data.h"

namespace hocker::cli {
namespace {

using nlohmann::json;

std::vector<std::string> keys_of(const std::string& printed) {
  std::vector<std::string> keys;
  nlohmann::ordered_json document = nlohmann::ordered_json::parse(printed);
  for (const auto& item : document.items()) keys.push_back(item.key());
  return keys;
}

ImageSummary sample_summary() {
  auto [resolved, config] = testing::resolved_image(testing::kConfigWithEverything, true);
  return summarize_image(ref::Reference::parse("example.com/team/app:v1"), resolved, config);
}

TEST(DigestJson, PrintsReferenceAndDigestOnlyWhenNothingElseIsKnown) {
  EXPECT_EQ(
      digest_json({"docker.io/library/debian:12", "sha256:ab", "", std::nullopt, std::nullopt}),
      "{\n  \"schemaVersion\": 1,\n  \"reference\": \"docker.io/library/debian:12\",\n"
      "  \"digest\": \"sha256:ab\"\n}\n");
}

TEST(DigestJson, AddsPlatformMediaTypeAndSizeWhenKnown) {
  auto [resolved, config] = testing::resolved_image(testing::kConfigWithEverything, true);
  std::string printed =
      digest_json(digest_of_resolved(ref::Reference::parse("a.io/b:c"), "linux/arm64", resolved));
  json document = json::parse(printed);
  EXPECT_EQ(keys_of(printed), (std::vector<std::string>{"schemaVersion", "reference", "digest",
                                                        "platform", "mediaType", "size"}));
  EXPECT_EQ(document["digest"], resolved.manifest.digest.string());
  EXPECT_EQ(document["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(document["size"], resolved.manifest.raw.size());
  EXPECT_EQ(document["platform"], "linux/arm64");
}

TEST(TagsJson, PrintsTheRepositoryAndEveryTagInOrder) {
  EXPECT_EQ(tags_json("ghcr.io/org/app", {"v2", "v1"}),
            "{\n  \"schemaVersion\": 1,\n  \"repository\": \"ghcr.io/org/app\",\n"
            "  \"tags\": [\n    \"v2\",\n    \"v1\"\n  ]\n}\n");
}

TEST(TagsJson, AnEmptyRepositoryHasAnEmptyArray) {
  EXPECT_EQ(json::parse(tags_json("a.io/b", {}))["tags"], json::array());
}

TEST(InspectJson, PrintsEveryKeyOfTheSchemaInOrder) {
  EXPECT_EQ(keys_of(inspect_json(sample_summary())),
            (std::vector<std::string>{"schemaVersion", "name", "digest", "mediaType", "platforms",
                                      "manifestDigest", "manifestMediaType", "configDigest",
                                      "created", "os", "architecture", "variant", "layers",
                                      "totalSize", "entrypoint", "cmd", "env", "labels"}));
}

TEST(InspectJson, GivesAbsentCommandsAndCreatedAsNull) {
  ImageSummary summary = sample_summary();
  summary.entrypoint.reset();
  summary.cmd.reset();
  summary.created.reset();
  json document = json::parse(inspect_json(summary));
  EXPECT_TRUE(document["entrypoint"].is_null());
  EXPECT_TRUE(document["cmd"].is_null());
  EXPECT_TRUE(document["created"].is_null());
}

TEST(InspectJson, DescribesPlatformsAndLayers) {
  json document = json::parse(inspect_json(sample_summary()));
  EXPECT_EQ(document["platforms"][1]["platform"], "linux/arm64/v8");
  EXPECT_EQ(document["platforms"][1]["selected"], true);
  EXPECT_EQ(document["platforms"][0]["selected"], false);
  EXPECT_EQ(document["layers"][1]["size"], 2000);
  EXPECT_EQ(document["totalSize"], 2100);
  EXPECT_EQ(document["labels"], json({{"a", "1"}, {"b", "two"}}));
}

TEST(InspectJson, ReplacesBytesThatAreNotUtf8InsteadOfFailing) {
  ImageSummary summary = sample_summary();
  summary.env = {"BAD=\xff\xfe"};
  json document = json::parse(inspect_json(summary));
  EXPECT_EQ(document["env"][0], "BAD=\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ImageWriteJson, NamesTheArchiveAndWhatWentIntoIt) {
  auto [resolved, config] = testing::resolved_image(testing::kConfigWithEverything, true);
  ImageWriteSummary summary = describe_image_write(ref::Reference::parse("a.io/b:c"), resolved,
                                                   config, "/tmp/out.tar", "oci");
  summary.bytes_written = 4096;
  std::string printed = image_write_json(summary);
  json document = json::parse(printed);
  EXPECT_EQ(keys_of(printed),
            (std::vector<std::string>{"schemaVersion", "output", "reference", "manifestDigest",
                                      "configDigest", "imageId", "platform", "layers",
                                      "bytesWritten", "format", "images", "sources"}));
  EXPECT_EQ(document["output"], "/tmp/out.tar");
  EXPECT_EQ(document["reference"], "a.io/b:c");
  EXPECT_EQ(document["manifestDigest"], resolved.manifest.digest.string());
  EXPECT_EQ(document["imageId"], document["configDigest"]);
  EXPECT_EQ(document["platform"], "linux/arm64/v8");
  EXPECT_EQ(document["layers"], 2);
  EXPECT_EQ(document["bytesWritten"], 4096);
  EXPECT_EQ(document["format"], "oci");
  ASSERT_EQ(document["images"].size(), 1U);
  EXPECT_EQ(document["images"][0]["manifestDigest"], document["manifestDigest"]);
  EXPECT_EQ(document["images"][0]["platform"], "linux/arm64/v8");
  EXPECT_EQ(
      document["sources"],
      json({{"mirrorBlobs", 0}, {"mirrorBytes", 0}, {"registryBlobs", 0}, {"mirrorMisses", 0}}));
}

TEST(ImageWriteJson, ListsEveryImageOfABundle) {
  auto [resolved, config] = testing::resolved_image(testing::kConfigWithEverything, true);
  ImageWriteSummary summary = describe_image_write(ref::Reference::parse("a.io/b:c"), resolved,
                                                   config, "/tmp/out.tar", "docker");
  summary.images.push_back(
      describe_written_image(ref::Reference::parse("a.io/d:e"), resolved, config));
  json document = json::parse(image_write_json(summary));
  ASSERT_EQ(document["images"].size(), 2U);
  EXPECT_EQ(document["reference"], "a.io/b:c");
  EXPECT_EQ(document["images"][1]["reference"], "a.io/d:e");
  EXPECT_EQ(document["images"][1]["imageId"], document["images"][1]["configDigest"]);
  for (const char* key :
       {"reference", "manifestDigest", "configDigest", "imageId", "platform", "layers"}) {
    EXPECT_EQ(document[key], document["images"][0][key]) << key;
  }
}

TEST(ImageWriteJson, SaysWhereTheBlobsCameFrom) {
  auto [resolved, config] = testing::resolved_image(testing::kConfigWithEverything, true);
  ImageWriteSummary summary = describe_image_write(ref::Reference::parse("a.io/b:c"), resolved,
                                                   config, "/tmp/out.tar", "docker");
  summary.sources = {3, 4096, 1, 2};
  json sources = json::parse(image_write_json(summary))["sources"];
  EXPECT_EQ(sources["mirrorBlobs"], 3);
  EXPECT_EQ(sources["mirrorBytes"], 4096);
  EXPECT_EQ(sources["registryBlobs"], 1);
  EXPECT_EQ(sources["mirrorMisses"], 2);
}

}  // namespace
}  // namespace hocker::cli
