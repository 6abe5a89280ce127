#include "hocker/archive/oci_encoding.h"

#include <gtest/gtest.h>

#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

const std::string kConfig = "sha256:" + std::string(64, 'c');
const std::string kLayer1 = "sha256:" + std::string(64, '1');
const std::string kLayer2 = "sha256:" + std::string(64, '2');

// A docker manifest as registries serve it: pretty-printed, docker media types.
const std::string kDockerManifest = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1469,
      "digest": ")" + kConfig + R"("
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2818413,
         "digest": ")" + kLayer1 + R"("
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
         "size": 77,
         "digest": ")" + kLayer2 + R"(",
         "urls": ["https://example.com/layer"]
      }
   ]
})";

TEST(ReencodeAsOci, GivesTheseExactBytesForADockerManifest) {
  image::Manifest docker = image::Manifest::parse(kDockerManifest);
  image::Manifest oci = reencode_as_oci(docker);
  EXPECT_EQ(oci.raw(),
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
            R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                kConfig +
                R"(","size":1469},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.)"
                R"(tar+gzip","digest":")" +
                kLayer1 +
                R"(","size":2818413},{"mediaType":"application/vnd.oci.image.layer.)"
                R"(nondistributable.v1.tar+gzip","digest":")" +
                kLayer2 + R"(","size":77,"urls":["https://example.com/layer"]}]})");
  EXPECT_NE(oci.digest(), docker.digest());
  EXPECT_EQ(oci.config().digest, docker.config().digest);
  EXPECT_EQ(oci.layers().size(), 2U);
}

TEST(ReencodeAsOci, IsDeterministic) {
  image::Manifest docker = image::Manifest::parse(kDockerManifest);
  EXPECT_EQ(reencode_as_oci(docker).raw(), reencode_as_oci(docker).raw());
}

TEST(OciMediaType, MapsEveryDockerTypeAndKeepsOthers) {
  namespace type = image::media_type;
  struct Case {
    std::string_view docker;
    std::string_view oci;
  } cases[] = {
      {type::kDockerManifest, type::kOciManifest},
      {type::kDockerConfig, type::kOciConfig},
      {type::kDockerLayer, type::kOciLayer},
      {type::kDockerLayerGzip, type::kOciLayerGzip},
      {type::kDockerLayerZstd, type::kOciLayerZstd},
      {type::kDockerForeignLayer, type::kOciNondistributableLayer},
      {type::kDockerForeignLayerGzip, type::kOciNondistributableLayerGzip},
      {type::kOciLayerGzip, type::kOciLayerGzip},
      {"application/vnd.example.other", "application/vnd.example.other"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.docker);
    EXPECT_EQ(oci_media_type(c.docker), c.oci);
  }
}

TEST(HasDockerMediaType, IsTrueOnlyForDockerManifests) {
  EXPECT_TRUE(has_docker_media_type(image::Manifest::parse(kDockerManifest)));
  image::Manifest oci = reencode_as_oci(image::Manifest::parse(kDockerManifest));
  EXPECT_FALSE(has_docker_media_type(oci));
}

TEST(IndexJson, ListsEntriesWithPlatformAndSortedAnnotations) {
  IndexEntry entry{std::string(image::media_type::kOciManifest),
                   digest::Digest::parse(kConfig),
                   12,
                   image::Platform{"linux", "arm64", "v8"},
                   {{"z.last", "2"}, {"a.first", "1"}}};
  IndexEntry bare{std::string(image::media_type::kOciIndex),
                  digest::Digest::parse(kLayer1),
                  3,
                  std::nullopt,
                  {}};
  EXPECT_EQ(index_json({entry, bare}),
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
            R"("manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
            R"("digest":")" +
                kConfig +
                R"(","size":12,"platform":{"architecture":"arm64","os":"linux","variant":"v8"},)"
                R"("annotations":{"a.first":"1","z.last":"2"}},{"mediaType":)"
                R"("application/vnd.oci.image.index.v1+json","digest":")" +
                kLayer1 + R"(","size":3}]})" + "\n");
}

}  // namespace
}  // namespace hocker::archive
