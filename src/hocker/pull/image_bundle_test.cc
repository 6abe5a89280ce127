#include "hocker/pull/image_bundle.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "hocker/pull/test_registry.h"

namespace hocker::pull {
namespace {

using testing::TestRegistry;

constexpr const char* kManifestType = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kIndexType = "application/vnd.docker.distribution.manifest.list.v2+json";

std::string descriptor_json(const std::string& media_type, const image::Descriptor& blob,
                            const std::string& extra = "") {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + blob.digest.string() +
         R"(","size":)" + std::to_string(blob.size) + extra + "}";
}

/// Serves, by digest, an image of one layer `layer` for linux/`architecture`; returns its
/// manifest.
std::string add_image(TestRegistry& registry, const std::string& architecture,
                      const std::string& layer) {
  std::string diff_id = digest::sha256(layer).string();  // Not checked by the pull.
  std::string config = R"({"os":"linux","architecture":")" + architecture +
                       R"(","rootfs":{"type":"layers","diff_ids":[")" + diff_id + R"("]}})";
  std::string manifest =
      R"({"schemaVersion":2,"mediaType":")" + std::string(kManifestType) + R"(","config":)" +
      descriptor_json("application/vnd.docker.container.image.v1+json", registry.add_blob(config)) +
      R"(,"layers":[)" +
      descriptor_json("application/vnd.docker.image.rootfs.diff.tar.gzip",
                      registry.add_blob(layer)) +
      "]}";
  registry.add_manifest(digest::sha256(manifest).string(), manifest, kManifestType);
  return manifest;
}

/// Serves as `tag` an index of the images for `architectures` (layer = "layer-" + arch).
void add_index(TestRegistry& registry, const std::string& tag,
               const std::vector<std::string>& architectures) {
  std::string index =
      R"({"schemaVersion":2,"mediaType":")" + std::string(kIndexType) + R"(","manifests":[)";
  for (std::size_t i = 0; i < architectures.size(); ++i) {
    std::string manifest = add_image(registry, architectures[i], "layer-" + architectures[i]);
    image::Descriptor entry{
        "", digest::sha256(manifest), static_cast<std::int64_t>(manifest.size()), {}, {}, {}};
    index += (i > 0 ? "," : "") + descriptor_json(kManifestType, entry,
                                                  R"(,"platform":{"os":"linux","architecture":")" +
                                                      architectures[i] + "\"}");
  }
  registry.add_manifest(tag, index + "]}", kIndexType);
}

std::vector<std::string> architectures_of(const std::vector<std::unique_ptr<ImagePull>>& pulls) {
  std::vector<std::string> result;
  for (const auto& pull : pulls) result.push_back(pull->platform().architecture);
  return result;
}

TEST(PullPlatforms, TakesEveryPlatformOfTheIndexInItsOrder) {
  TestRegistry registry;
  add_index(registry, "multi", {"s390x", "arm64", "ppc64le"});
  PlatformSelection all;
  all.all = true;
  auto pulls = pull_platforms(registry.client(), registry.reference("multi"), all);
  EXPECT_EQ(architectures_of(pulls), (std::vector<std::string>{"s390x", "arm64", "ppc64le"}));
}

TEST(PullPlatforms, TakesTheListedPlatformsInTheirOrderEachOnce) {
  TestRegistry registry;
  add_index(registry, "multi", {"s390x", "arm64", "ppc64le"});
  PlatformSelection listed;
  for (const char* text : {"linux/ppc64le", "linux/s390x", "linux/ppc64le"}) {
    listed.platforms.push_back(image::Platform::parse(text));
  }
  auto pulls = pull_platforms(registry.client(), registry.reference("multi"), listed);
  EXPECT_EQ(architectures_of(pulls), (std::vector<std::string>{"ppc64le", "s390x"}));
}

TEST(PullPlatforms, FetchesTheIndexOnceForAllItsPlatforms) {
  TestRegistry registry;
  add_index(registry, "multi", {"s390x", "arm64", "ppc64le"});
  PlatformSelection all;
  all.all = true;
  auto pulls = pull_platforms(registry.client(), registry.reference("multi"), all);
  ASSERT_EQ(pulls.size(), 3U);
  std::vector<std::string> targets = registry.targets();
  EXPECT_EQ(std::count(targets.begin(), targets.end(), "/v2/team/app/manifests/multi"), 1);
  EXPECT_EQ(targets.size(), 4U);  // The index, then one manifest per platform.
}

TEST(PlatformDownloads, NamesOnePlatformKeepsEachEntrysPlatformAndTheWholeIndex) {
  TestRegistry registry;
  std::string host = image::Platform::host().architecture;
  std::string other = host == "s390x" ? "ppc64le" : "s390x";
  add_index(registry, "multi", {other, host});
  PlatformSelection all;
  all.all = true;
  auto pulls = pull_platforms(registry.client(), registry.reference("multi"), all);
  std::set<std::string> claimed;
  PlatformDownloads downloads(pulls, true, DownloadOptions{}, claimed);
  const auto& sources = downloads.sources();
  ASSERT_EQ(sources.size(), 2U);
  EXPECT_TRUE(sources[0].repo_tags.empty());  // The docker names go to the host's platform.
  EXPECT_FALSE(sources[1].repo_tags.empty());
  EXPECT_EQ(sources[0].oci_ref_name, sources[1].oci_ref_name);  // Both keep their OCI names.
  ASSERT_TRUE(sources[0].platform.has_value());
  EXPECT_EQ(sources[0].platform->architecture, other);
  ASSERT_NE(sources[0].whole_index, nullptr);
  EXPECT_EQ(sources[0].whole_index, sources[1].whole_index);
  EXPECT_EQ(sources[0].whole_index->manifests().size(), 2U);
  for (const auto& source : sources) {
    EXPECT_TRUE(claimed.contains(source.manifest.layers().front().digest.string()));
  }
}

}  // namespace
}  // namespace hocker::pull
