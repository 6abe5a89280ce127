#include "hocker/lock/select.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"
#include "hocker/digest/digest.h"

namespace hocker::lock {
namespace {

using test_support::kind_of;

std::string entry(const std::string& seed, const std::string& platform_json) {
  return R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         digest::sha256(seed).string() + R"(","size":10,"platform":)" + platform_json + "}";
}

// amd64, an attestation for it, arm64/v8, arm/v7, arm/v6, and an entry without platform.
image::Index sample_index() {
  return image::Index::parse(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
      entry("amd64", R"({"os":"linux","architecture":"amd64"})") + "," +
      entry("attestation", R"({"os":"unknown","architecture":"unknown"})") + "," +
      entry("arm64", R"({"os":"linux","architecture":"arm64","variant":"v8"})") + "," +
      entry("armv7", R"({"os":"linux","architecture":"arm","variant":"v7"})") + "," +
      entry("armv6", R"({"os":"linux","architecture":"arm","variant":"v6"})") + "," +
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      digest::sha256("none").string() + R"(","size":10}]})");
}

std::vector<std::string> platforms_of(const std::vector<image::Descriptor>& entries) {
  std::vector<std::string> result;
  for (const image::Descriptor& descriptor : entries)
    result.push_back(descriptor.platform->string());
  return result;
}

PlatformSelection listed(std::initializer_list<const char*> platforms) {
  PlatformSelection selection{PlatformSelection::Mode::kListed, {}};
  for (const char* platform : platforms)
    selection.platforms.push_back(image::Platform::parse(platform));
  return selection;
}

TEST(SelectEntries, AllPlatformsLeavesOutAttestationsAndEntriesWithoutPlatform) {
  EXPECT_EQ(
      platforms_of(select_entries(sample_index(), {PlatformSelection::Mode::kAll, {}})),
      (std::vector<std::string>{"linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6"}));
}

TEST(SelectEntries, ListedPlatformsComeInIndexOrder) {
  EXPECT_EQ(platforms_of(select_entries(sample_index(), listed({"linux/arm/v6", "linux/amd64"}))),
            (std::vector<std::string>{"linux/amd64", "linux/arm/v6"}));
}

TEST(SelectEntries, TwoNamesOfOneEntryPinItOnce) {
  EXPECT_EQ(platforms_of(select_entries(sample_index(), listed({"linux/arm64", "linux/arm64/v8"}))),
            (std::vector<std::string>{"linux/arm64/v8"}));
}

TEST(SelectEntries, NoFlagPicksWhatTheHostWouldPull) {
  std::vector<image::Descriptor> chosen =
      select_entries(sample_index(), {PlatformSelection::Mode::kHost, {}});
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0], sample_index().select(image::Platform::host()));
}

TEST(SelectEntries, AnUnavailablePlatformIsNotFoundListingTheAvailableOnes) {
  std::string message;
  EXPECT_EQ(kind_of([] { select_entries(sample_index(), listed({"linux/s390x"})); }, &message),
            ErrorKind::kNotFound);
  EXPECT_NE(message.find("available: linux/amd64, linux/arm64/v8"), std::string::npos) << message;
}

TEST(SelectEntries, AllPlatformsOfAnIndexWithoutPlatformsIsNotFound) {
  image::Index index = image::Index::parse(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
      entry("attestation", R"({"os":"unknown","architecture":"unknown"})") + "]}");
  EXPECT_EQ(kind_of([&] {
              select_entries(index, {PlatformSelection::Mode::kAll, {}});
            }),
            ErrorKind::kNotFound);
}

TEST(SelectionOf, ListsThePlatformsALockedImagePins) {
  LockedImage image;
  image.platforms.resize(2);
  image.platforms[0].platform = {"linux", "arm", "v7"};
  image.platforms[1].platform = {"linux", "amd64", ""};
  PlatformSelection selection = selection_of(image);
  EXPECT_EQ(selection.mode, PlatformSelection::Mode::kListed);
  EXPECT_EQ(selection.platforms,
            (std::vector<image::Platform>{{"linux", "arm", "v7"}, {"linux", "amd64", ""}}));
}

}  // namespace
}  // namespace hocker::lock
