#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/image/manifest.h"
#include "hocker/image/test_data.h"

namespace hocker::image {
namespace {

using testing::descriptor_json;
using testing::digest_of;
using testing::read_golden;

std::string index_json(const std::string& manifests) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
         R"("manifests":)" +
         manifests + "}";
}

std::string entry(const std::string& seed, const std::string& platform) {
  return descriptor_json(std::string(media_type::kOciManifest), seed,
                         platform.empty() ? "" : R"(,"platform":)" + platform);
}

TEST(Index, ParsesADockerManifestList) {
  std::string raw = read_golden("docker_manifest_list.json");
  Index index = Index::parse(raw);
  EXPECT_EQ(index.raw(), raw);
  EXPECT_EQ(index.digest(), digest::sha256(raw));
  EXPECT_EQ(index.media_type(), media_type::kDockerManifestList);
  ASSERT_EQ(index.manifests().size(), 6u);
  EXPECT_EQ(index.manifests()[3].platform, (Platform{"linux", "arm64", "v8"}));
}

TEST(Index, SelectsThePlatformsEntry) {
  Index index = Index::parse(read_golden("docker_manifest_list.json"));
  struct Case {
    const char* wanted;
    const char* seed;
  } cases[] = {
      {"linux/amd64", "amd64"},   {"linux/arm64", "arm64"}, {"linux/arm64/v8", "arm64"},
      {"linux/aarch64", "arm64"}, {"linux/arm", "armv7"},   {"linux/arm/v7", "armv7"},
      {"linux/arm/v6", "armv5"},  {"linux/386", "386"},     {"linux/ppc64le", "ppc64le"},
      {"linux/x86_64", "amd64"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.wanted);
    EXPECT_EQ(index.select(Platform::parse(c.wanted)).digest.string(), digest_of(c.seed));
  }
}

TEST(Index, SkipsAttestationManifests) {
  Index index = Index::parse(read_golden("oci_index_with_attestations.json"));
  EXPECT_EQ(index.select(Platform::parse("linux/arm64/v8")).digest.string(),
            digest_of("oci-arm64"));
  EXPECT_EQ(index.platforms(),
            (std::vector<Platform>{{"linux", "amd64", ""}, {"linux", "arm64", ""}}));
  EXPECT_THROW(index.select(Platform{"unknown", "unknown", ""}), Error);
}

TEST(Index, ReportsTheAvailablePlatformsWhenNoneMatches) {
  std::string raw = index_json("[" + entry("a", R"({"os":"linux","architecture":"amd64"})") + "," +
                               entry("b", R"({"os":"linux","architecture":"arm64",)"
                                          R"("variant":"v8"})") +
                               "," +
                               entry("c", R"({"os":"linux","architecture":"arm",)"
                                          R"("variant":"v7"})") +
                               "," + entry("d", "") + "]");
  try {
    Index::parse(raw).select(Platform::parse("linux/s390x"));
    ADD_FAILURE() << "selected";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kNotFound);
    EXPECT_STREQ(error.what(),
                 "no manifest for platform linux/s390x; available: linux/amd64, "
                 "linux/arm64/v8, linux/arm/v7");
  }
}

TEST(Index, SaysNoneWhenNoEntryNamesAPlatform) {
  try {
    Index::parse(index_json("[" + entry("a", "") + "]")).select(Platform::parse("linux/amd64"));
    ADD_FAILURE() << "selected";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "no manifest for platform linux/amd64; available: none");
  }
}

TEST(Index, VariantlessEntryMatchesVariantlessRequestOnly) {
  Index index = Index::parse(
      index_json("[" + entry("v3", R"({"os":"linux","architecture":"amd64","variant":"v3"})") +
                 "," + entry("plain", R"({"os":"linux","architecture":"amd64"})") + "]"));
  EXPECT_EQ(index.select(Platform::parse("linux/amd64")).digest.string(), digest_of("plain"));
  EXPECT_EQ(index.select(Platform::parse("linux/amd64/v3")).digest.string(), digest_of("v3"));
}

TEST(Index, RefusesMalformedIndexes) {
  struct Case {
    std::string raw, reason;
  } cases[] = {
      {"[]", "not a JSON object"},
      {R"({"schemaVersion":2})", "manifests is missing"},
      {R"({"schemaVersion":2,"manifests":{}})", "manifests is not an array"},
      {R"({"schemaVersion":1,"manifests":[]})", "schemaVersion is not 2"},
      {index_json(R"([{"mediaType":"x","digest":"sha256:zz","size":1}])"), "not a valid digest"},
      {index_json("[" + entry("a", "7") + "]"), "manifests[0].platform is not an object"},
      {index_json("[" + entry("a", R"({"os":"linux"})") + "]"),
       "manifests[0].platform.architecture is missing"},
      {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
       R"("manifests":[]})",
       "this is an image manifest, not an index"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.raw);
    try {
      Index::parse(c.raw);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
      EXPECT_NE(std::string(error.what()).find(c.reason), std::string::npos) << error.what();
    }
  }
}

TEST(Index, ShowsHostilePlatformNamesSafely) {
  Index index = Index::parse(
      index_json("[" + entry("a", R"({"os":"linux\n","architecture":"x\u0007"})") + "]"));
  try {
    index.select(Platform::parse("linux/amd64"));
    ADD_FAILURE() << "selected";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "no manifest for platform linux/amd64; available: linux?/x?");
  }
}

}  // namespace
}  // namespace hocker::image
