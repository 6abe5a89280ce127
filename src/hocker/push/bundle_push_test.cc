#include "hocker/push/bundle_push.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hocker/base/test_support.h"
#include "hocker/image/media_types.h"
#include "hocker/push/diff_id_map.h"
#include "hocker/push/test_support.h"

namespace hocker::push {
namespace {

using namespace testing;
using test_support::kind_of;

// Two entries named app:1, one per platform, sharing their base layer.
std::string two_platform_archive(const std::string& second_arch) {
  std::string base = layer_tar(1), amd = layer_tar(2), arm = layer_tar(3);
  return make_tar(
      {{"manifest.json",
        R"([{"Config":"a.json","RepoTags":["x.io/app:1"],"Layers":["base.tar","amd.tar"]},)"
        R"({"Config":"b.json","RepoTags":["x.io/app:1"],"Layers":["base.tar","arm.tar"]}])"},
       {"a.json", config_for({base, amd}, "amd64")},
       {"b.json", config_for({base, arm}, second_arch)},
       {"base.tar", base},
       {"amd.tar", amd},
       {"arm.tar", arm}});
}

ArchiveScan scan_of(const std::string& archive) {
  UniqueFd fd = fd_reading(archive);
  TarReader reader(fd.get(), "bundle.tar");
  return scan_docker_archive(reader);
}

PushReport push_entries(const std::string& archive, FakeTarget& target,
                        const std::vector<std::size_t>& entries, int jobs) {
  ArchiveScan scan = scan_of(archive);
  auto open_reader = [&](const std::function<void(TarReader&)>& use) {
    UniqueFd fd = fd_reading(archive);
    TarReader reader(fd.get(), "bundle.tar");
    use(reader);
  };
  DiffIdMap diff_ids("");  // As push --all keeps one for the run: shared layers compress once.
  PushOptions options;
  options.tag = "1";
  options.blobs.diff_ids = &diff_ids;
  return push_docker_entries(open_reader, target, options, scan, entries, jobs);
}

TEST(PushDockerEntries, PushesSeveralPlatformsAsAnIndexPutLast) {
  FakeTarget target;
  PushReport report = push_entries(two_platform_archive("arm64"), target, {0, 1}, 2);
  ASSERT_EQ(target.manifests.size(), 3U);
  EXPECT_EQ(target.log.back(), "manifest 1");
  auto [type, raw] = target.manifests.at("1");
  EXPECT_EQ(type, image::media_type::kDockerManifestList);
  EXPECT_EQ(report.digest, digest::sha256(raw));
  auto index = nlohmann::json::parse(raw);
  ASSERT_EQ(index["manifests"].size(), 2U);
  EXPECT_EQ(index["manifests"][0]["platform"]["architecture"], "amd64");
  EXPECT_EQ(index["manifests"][1]["platform"]["architecture"], "arm64");
  for (const auto& listed : index["manifests"]) {
    EXPECT_TRUE(target.manifests.contains(listed["digest"].get<std::string>()));
  }
  // Base, amd, arm and two configs: the shared base layer went up once.
  EXPECT_EQ(target.count("upload") + target.count("put"), 5);
}

TEST(PushDockerEntries, PushesOneEntryUnderTheTag) {
  FakeTarget target;
  push_entries(two_platform_archive("arm64"), target, {1}, 1);
  ASSERT_EQ(target.manifests.size(), 1U);
  auto manifest = nlohmann::json::parse(target.manifests.at("1").second);
  EXPECT_EQ(manifest["layers"].size(), 2U);
}

TEST(PushDockerEntries, RefusesTwoEntriesOfOnePlatformBeforeAnyUpload) {
  FakeTarget target;
  EXPECT_EQ(kind_of([&] {
              push_entries(two_platform_archive("amd64"), target, {0, 1}, 1);
            }),
            ErrorKind::kFormat);
  EXPECT_TRUE(target.log.empty());
}

TEST(BuildIndex, IsAnOciIndexWhenAnEntryIsAnOciManifest) {
  IndexEntry entry{
      std::string(image::media_type::kOciManifest), digest::sha256("m"), 1, "linux", "arm", "v7"};
  BuiltManifest index = build_index({entry});
  EXPECT_EQ(index.media_type, image::media_type::kOciIndex);
  auto json = nlohmann::json::parse(index.raw);
  EXPECT_EQ(json["manifests"][0]["platform"]["variant"], "v7");
}

}  // namespace
}  // namespace hocker::push
