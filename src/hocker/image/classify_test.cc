#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/image/manifest.h"
#include "hocker/image/test_data.h"

namespace hocker::image {
namespace {

using testing::nested;
using testing::read_golden;

const char kSchema1Message[] =
    "the manifest is a Docker schema 1 manifest, which hocker does not support (deprecated "
    "since 2017); push the image again with a current client";

TEST(Classify, UsesTheMediaTypeField) {
  EXPECT_EQ(classify(read_golden("docker_manifest.json"), ""), DocumentKind::kImageManifest);
  EXPECT_EQ(classify(read_golden("docker_manifest_list.json"), ""), DocumentKind::kIndex);
  EXPECT_EQ(classify(read_golden("oci_index_with_attestations.json"), "application/json"),
            DocumentKind::kIndex);
  // The field wins over a Content-Type that disagrees: the field is covered by the digest.
  EXPECT_EQ(classify(read_golden("docker_manifest.json"), std::string(media_type::kOciIndex)),
            DocumentKind::kImageManifest);
}

TEST(Classify, FallsBackToContentTypeThenShape) {
  std::string oci = read_golden("oci_manifest_without_media_type.json");
  EXPECT_EQ(classify(oci, ""), DocumentKind::kImageManifest);
  EXPECT_EQ(classify(oci, "application/json"), DocumentKind::kImageManifest);
  std::string bare_index = R"({"schemaVersion":2,"manifests":[]})";
  EXPECT_EQ(classify(bare_index, ""), DocumentKind::kIndex);
  EXPECT_EQ(classify(R"({"schemaVersion":2})",
                     " Application/VND.oci.image.index.v1+json ; charset=utf-8"),
            DocumentKind::kIndex);
}

TEST(Classify, RefusesSchema1WhicheverWayItIsAnnounced) {
  struct Case {
    std::string raw, content_type;
  } cases[] = {
      {read_golden("docker_schema1_signed.json"), ""},
      {read_golden("docker_schema1_signed.json"), std::string(media_type::kDockerSchema1Signed)},
      {R"({"schemaVersion":2})", std::string(media_type::kDockerSchema1)},
      {R"({"mediaType":"application/vnd.docker.distribution.manifest.v1+json"})", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.content_type);
    try {
      classify(c.raw, c.content_type);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
      EXPECT_STREQ(error.what(), kSchema1Message);
    }
  }
}

TEST(Classify, RefusesUnknownAndMalformedDocuments) {
  struct Case {
    std::string raw, content_type, reason;
  } cases[] = {
      {"<html>", "text/html", "not valid JSON"},
      {"[]", "", "not a JSON object"},
      {R"({"mediaType":"application/vnd.oci.image.config.v1+json"})", "", "unsupported mediaType"},
      {R"({"mediaType":["x"]})", "", "mediaType is not a string"},
      {R"({"schemaVersion":2})", "application/json", "neither an image manifest nor an index"},
      {nested(10000), "", "nested deeper"},
      {std::string(kMaxManifestSize + 1, ' '), "", "allowed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.raw.substr(0, 100));
    try {
      classify(c.raw, c.content_type);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
      EXPECT_NE(std::string(error.what()).find(c.reason), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace hocker::image
