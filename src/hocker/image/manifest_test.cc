#include "hocker/image/manifest.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/image/test_data.h"

namespace hocker::image {
namespace {

using testing::descriptor_json;
using testing::digest_of;
using testing::nested;
using testing::read_golden;

const std::string kLayer = std::string(media_type::kOciLayerGzip);
const std::string kConfig = std::string(media_type::kOciConfig);

std::string manifest_json(const std::string& layers, const std::string& extra = "") {
  return R"({"schemaVersion":2,"config":)" + descriptor_json(kConfig, "config") + R"(,"layers":)" +
         layers + extra + "}";
}

void expect_format_error(const std::string& raw, const std::string& reason) {
  try {
    Manifest::parse(raw);
    ADD_FAILURE() << "accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    std::string message = error.what();
    EXPECT_NE(message.find(reason), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.find("[json.exception"), std::string::npos) << message;
  }
}

TEST(Manifest, ParsesADockerSchema2Manifest) {
  std::string raw = read_golden("docker_manifest.json");
  Manifest manifest = Manifest::parse(raw);
  EXPECT_EQ(manifest.raw(), raw);
  EXPECT_EQ(manifest.digest(), digest::sha256(raw));
  EXPECT_EQ(manifest.media_type(), media_type::kDockerManifest);
  EXPECT_EQ(manifest.config().media_type, media_type::kDockerConfig);
  EXPECT_EQ(manifest.config().digest.string(), digest_of("config"));
  EXPECT_EQ(manifest.config().size, 1463);
  ASSERT_EQ(manifest.layers().size(), 2u);
  EXPECT_EQ(manifest.layers()[0].size, 54390036);
  EXPECT_EQ(manifest.layers()[0].digest.string(), digest_of("layer0"));
  EXPECT_TRUE(is_foreign_layer(manifest.layers()[1].media_type));
  ASSERT_EQ(manifest.layers()[1].urls.size(), 1u);
}

TEST(Manifest, ParsesAnOciManifestWithoutMediaType) {
  std::string raw = read_golden("oci_manifest_without_media_type.json");
  Manifest manifest = Manifest::parse(raw);
  EXPECT_EQ(manifest.media_type(), "");
  EXPECT_EQ(manifest.raw(), raw);
  ASSERT_EQ(manifest.layers().size(), 2u);
  EXPECT_EQ(layer_compression(manifest.layers()[1].media_type), Compression::kZstd);
}

TEST(Manifest, KeepsTheExactBytes) {
  std::string raw = "  " + manifest_json("[]") + "\n\n";
  Manifest manifest = Manifest::parse(raw);
  EXPECT_EQ(manifest.raw(), raw);
  EXPECT_EQ(manifest.digest(), digest::sha256(raw));
  EXPECT_TRUE(manifest.layers().empty());
}

TEST(Manifest, ReadsDescriptorAnnotations) {
  Manifest manifest = Manifest::parse(
      manifest_json("[" + descriptor_json(kLayer, "l", R"(,"annotations":{"a":"b"})") + "]"));
  EXPECT_EQ(manifest.layers()[0].annotations.at("a"), "b");
}

TEST(Manifest, RefusesMalformedAndHostileDocuments) {
  std::string layer = descriptor_json(kLayer, "l");
  std::string digest = digest_of("x");
  struct Case {
    std::string raw, reason;
  } cases[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[]", "not a JSON object"},
      {"\"x\"", "not a JSON object"},
      {manifest_json("[]") + "x", "not valid JSON"},
      {R"({"config":{},"layers":[]})", "schemaVersion is not 2"},
      {R"({"schemaVersion":"2"})", "schemaVersion is not 2"},
      {R"({"schemaVersion":2,"layers":[]})", "config is missing"},
      {R"({"schemaVersion":2,"config":)" + layer + "}", "layers is missing"},
      {manifest_json("{}"), "layers is not an array"},
      {manifest_json("[1]"), "layers[0] is not an object"},
      {manifest_json(R"([{"digest":")" + digest + R"(","size":1}])"),
       "layers[0].mediaType is missing"},
      {manifest_json(R"([{"mediaType":"x","size":1}])"), "layers[0].digest is missing"},
      {manifest_json(R"([{"mediaType":"x","digest":"sha256:../../etc/passwd","size":1}])"),
       "layers[0].digest \"sha256:../../etc/passwd\" is not a valid digest"},
      {manifest_json(R"([{"mediaType":"x","digest":"sha256:abc","size":1}])"),
       "not a valid digest"},
      {manifest_json(R"([{"mediaType":"x","digest":7,"size":1}])"), "digest is not a string"},
      {manifest_json(R"([{"mediaType":"x","digest":")" + digest + R"("}])"), "size is missing"},
      {manifest_json(R"([{"mediaType":"x","digest":")" + digest + R"(","size":-1}])"),
       "size is not a non-negative integer"},
      {manifest_json(R"([{"mediaType":"x","digest":")" + digest + R"(","size":1.5}])"),
       "size is not a non-negative integer"},
      {manifest_json(R"([{"mediaType":"x","digest":")" + digest + R"(","size":"1"}])"),
       "size is not a non-negative integer"},
      {manifest_json(R"([{"mediaType":"x","digest":")" + digest +
                     R"(","size":18446744073709551615}])"),
       "size is not a non-negative integer"},
      {manifest_json("[" + descriptor_json(kLayer, "l", R"(,"urls":"x")") + "]"),
       "urls is not an array"},
      {manifest_json("[" + descriptor_json(kLayer, "l", R"(,"annotations":{"a":1})") + "]"),
       "annotations.a is not a string"},
      {manifest_json("[]", R"(,"mediaType":"application/vnd.oci.image.index.v1+json")"),
       "select a platform first"},
      {manifest_json("[]", R"(,"mediaType":"text/html")"), "unsupported mediaType \"text/html\""},
      {manifest_json("[]", R"(,"mediaType":5)"), "mediaType is not a string"},
      {manifest_json(nested(65)), "nested deeper than 64 levels"},
      {"{\"a\":\"\xff\"}", "not valid JSON"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.raw.substr(0, 200));
    expect_format_error(c.raw, c.reason);
  }
}

TEST(Manifest, RefusesSizesAboveOneTebibyte) {
  std::string digest = digest_of("x");
  for (const char* size : {"1099511627777", "9223372036854775807", "9223372036854775806"}) {
    SCOPED_TRACE(size);
    expect_format_error(
        manifest_json(R"([{"mediaType":"x","digest":")" + digest + R"(","size":)" + size + "}]"),
        "bytes (1 TiB) hocker accepts");
  }
}

TEST(Manifest, AcceptsASizeOfExactlyOneTebibyte) {
  std::string digest = digest_of("x");
  Manifest manifest = Manifest::parse(
      manifest_json(R"([{"mediaType":"x","digest":")" + digest + R"(","size":1099511627776}])"));
  EXPECT_EQ(manifest.layers().at(0).size, kMaxBlobSize);
}

TEST(Manifest, RefusesSchema1WithAnExplanation) {
  std::string raw = manifest_json(
      "[]", R"(,"mediaType":")" + std::string(media_type::kDockerSchema1Signed) + "\"");
  expect_format_error(raw, "Docker schema 1 manifest, which hocker does not support");
}

TEST(Manifest, RefusesTooManyLayers) {
  std::string layer = descriptor_json(kLayer, "l");
  std::string layers = "[" + layer;
  for (std::size_t i = 1; i < kMaxLayers; ++i) layers += "," + layer;
  EXPECT_EQ(Manifest::parse(manifest_json(layers + "]")).layers().size(), kMaxLayers);
  expect_format_error(manifest_json(layers + "," + layer + "]"),
                      "1001 layers, more than the 1000 allowed");
}

TEST(Manifest, RefusesOversizedDocuments) {
  std::string padding(kMaxManifestSize, ' ');
  expect_format_error(manifest_json("[]") + padding, "more than the 4194304 allowed");
}

TEST(Manifest, SurvivesVeryDeepNestingWithoutParsingIt) {
  expect_format_error(manifest_json(nested(1'000'000)), "nested deeper");
  expect_format_error(std::string(3'000'000, '{'), "nested deeper");
}

TEST(Manifest, AcceptsNestingUpToTheLimitAndBracketsInStrings) {
  // The document object is level 1, so 63 more arrays reach the limit of 64.
  std::string raw = manifest_json("[]", R"(,"x":)" + nested(63) + R"(,"s":"[[[[{{{{\"[[")");
  EXPECT_NO_THROW(Manifest::parse(raw));
  raw = manifest_json("[]", R"(,"s":")" + std::string(100, '[') + "\"");
  EXPECT_NO_THROW(Manifest::parse(raw));
}

}  // namespace
}  // namespace hocker::image
