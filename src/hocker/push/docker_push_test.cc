#include "hocker/push/docker_push.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "hocker/base/test_support.h"
#include "hocker/push/test_support.h"

namespace hocker::push {
namespace {

using namespace testing;
using test_support::kind_of;

// A docker archive of two plain layers, manifest.json last (as streamLayeredImage writes it).
Members manifest_last(const std::string& config) {
  return {
      {"l1/layer.tar", layer_tar(1)},
      {"cfg.json", config},
      {"l2/layer.tar", layer_tar(2)},
      {"manifest.json",
       R"([{"Config":"cfg.json","RepoTags":["hello:v1"],"Layers":["l1/layer.tar","l2/layer.tar"]}])"}};
}

PushReport push(const Members& members, FakeTarget& target, const PushOptions& options,
                bool scan_first = false) {
  std::string archive = make_tar(members);
  std::optional<ArchiveScan> scan;
  if (scan_first) {
    UniqueFd fd = fd_reading(archive);
    TarReader reader(fd.get(), "test.tar");
    scan = scan_docker_archive(reader);
  }
  UniqueFd fd = fd_reading(archive);
  TarReader reader(fd.get(), "test.tar");
  return push_docker_archive(reader, target, options, scan ? &*scan : nullptr);
}

TEST(PushDockerArchive, PushesAStreamWithTheManifestLastAndPutsTheManifestLast) {
  FakeTarget target;
  std::string config = config_for({layer_tar(1), layer_tar(2)});
  PushReport report = push(manifest_last(config), target, {});
  EXPECT_EQ(report.tag, "v1");
  ASSERT_EQ(target.manifests.count("v1"), 1U);
  EXPECT_EQ(target.log.back(), "manifest v1");
  EXPECT_EQ(report.digest, digest::sha256(target.manifests["v1"].second));
  auto manifest = nlohmann::json::parse(target.manifests["v1"].second);
  EXPECT_EQ(manifest["config"]["digest"], digest::sha256(config).string());
  EXPECT_EQ(target.blobs[digest::sha256(config).string()], config);  // Byte-exact.
  ASSERT_EQ(manifest["layers"].size(), 2U);
  for (const auto& layer : manifest["layers"]) {
    EXPECT_EQ(layer["mediaType"], "application/vnd.docker.image.rootfs.diff.tar.gzip");
    EXPECT_EQ(target.blobs.count(layer["digest"].get<std::string>()), 1U);
  }
  EXPECT_EQ(report.uploaded, 3);
}

// Two images: manifest.json first, then what each names.
Members two_images() {
  std::string first = config_for({layer_tar(1)}), second = config_for({layer_tar(2)});
  return {{"manifest.json", R"([{"Config":"a.json","RepoTags":["a:1"],"Layers":["l1.tar"]},)"
                            R"({"Config":"b.json","RepoTags":["b:2"],"Layers":["l2.tar"]}])"},
          {"a.json", first},
          {"b.json", second},
          {"l1.tar", layer_tar(1)},
          {"l2.tar", layer_tar(2)}};
}

TEST(PushDockerArchive, RefusesSeveralImagesPointingAtAll) {
  FakeTarget target;
  std::string message;
  EXPECT_EQ(kind_of([&] { push(two_images(), target, {}); }, &message), ErrorKind::kFormat);
  EXPECT_NE(message.find("--all"), std::string::npos) << message;
  EXPECT_TRUE(target.manifests.empty());
}

TEST(PushDockerArchive, PushesTheEntryTheOptionsPick) {
  FakeTarget target;
  PushOptions options;
  options.entry = 1;
  options.tag = "2";
  push(two_images(), target, options, true);
  auto manifest = nlohmann::json::parse(target.manifests.at("2").second);
  EXPECT_EQ(manifest["config"]["digest"], digest::sha256(config_for({layer_tar(2)})).string());
  EXPECT_EQ(target.count("upload"), 1);  // l2.tar only.
}

TEST(PushDockerArchive, TakesTheTagFromTheOptionsOverRepoTags) {
  FakeTarget target;
  PushOptions options;
  options.tag = "other";
  push(manifest_last(config_for({layer_tar(1), layer_tar(2)})), target, options);
  EXPECT_EQ(target.manifests.count("other"), 1U);
}

TEST(PushDockerArchive, ARepushWithTheDiffIdMapUploadsNothing) {
  char pattern[] = "/tmp/push-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  DiffIdMap map(diff_id_map_path(pattern));
  PushOptions options;
  options.blobs.diff_ids = &map;
  FakeTarget target;
  Members members = manifest_last(config_for({layer_tar(1), layer_tar(2)}));
  push(members, target, options, true);
  target.log.clear();
  PushReport again = push(members, target, options, true);
  EXPECT_EQ(target.count("upload"), 0);
  EXPECT_EQ(target.count("put"), 0);
  EXPECT_EQ(again.uploaded, 0);
  EXPECT_EQ(again.skipped, 3);
  std::filesystem::remove_all(pattern);
}

TEST(PushDockerArchive, RefusesALayerThatDoesNotMatchItsDiffIdAndPutsNoManifest) {
  FakeTarget target;
  std::string config = config_for({layer_tar(1), layer_tar(3)});
  EXPECT_EQ(kind_of([&] { push(manifest_last(config), target, {}); }), ErrorKind::kIntegrity);
  EXPECT_TRUE(target.manifests.empty());
}

TEST(PushDockerArchive, RefusesALayerCountThatDiffersFromTheConfig) {
  FakeTarget target;
  std::string config = config_for({layer_tar(1)});
  EXPECT_EQ(kind_of([&] { push(manifest_last(config), target, {}); }), ErrorKind::kFormat);
  EXPECT_TRUE(target.manifests.empty());
}

TEST(PushDockerArchive, RefusesAnArchiveWithoutManifestJson) {
  FakeTarget target;
  Members members = manifest_last(config_for({layer_tar(1), layer_tar(2)}));
  members.pop_back();
  std::string message;
  EXPECT_EQ(kind_of([&] { push(members, target, {}); }, &message), ErrorKind::kFormat);
  EXPECT_EQ(message, "the archive has no manifest.json");
}

TEST(PushDockerArchive, AFirstPassRefusesTraversalBeforeAnyUpload) {
  Members members = manifest_last(config_for({layer_tar(1), layer_tar(2)}));
  members.emplace_back("../escape", "x");
  std::string archive = make_tar(members);
  UniqueFd fd = fd_reading(archive);
  TarReader reader(fd.get(), "test.tar");
  EXPECT_EQ(kind_of([&] { scan_docker_archive(reader); }), ErrorKind::kFormat);
}

TEST(PushDockerArchive, WantsATagWhenRepoTagsDoNotNameExactlyOne) {
  FakeTarget target;
  Members members = manifest_last(config_for({layer_tar(1), layer_tar(2)}));
  members.back().second = R"([{"Config":"cfg.json","Layers":["l1/layer.tar","l2/layer.tar"]}])";
  EXPECT_EQ(kind_of([&] { push(members, target, {}, true); }), ErrorKind::kUsage);
  EXPECT_EQ(target.count("upload"), 0);
}

TEST(PushDockerArchive, SeveralThreadsPushTheSameManifestAsOnePass) {
  std::string l3 = layer_tar(3);
  Members members = {
      {"manifest.json",
       R"([{"Config":"c.json","RepoTags":["a:b"],"Layers":["1.tar","2.tar","3.tar","1.tar"]}])"},
      {"c.json", config_for({layer_tar(1), layer_tar(2), l3, layer_tar(1)})},
      {"1.tar", layer_tar(1)},
      {"2.tar", layer_tar(2)},
      {"3.tar", l3}};
  FakeTarget one;
  push(members, one, {}, true);
  std::string archive = make_tar(members);
  UniqueFd scan_fd = fd_reading(archive);
  TarReader scan_reader(scan_fd.get(), "test.tar");
  ArchiveScan scan = scan_docker_archive(scan_reader);
  FakeTarget several;
  auto open_reader = [&](const std::function<void(TarReader&)>& use) {
    UniqueFd fd = fd_reading(archive);
    TarReader reader(fd.get(), "test.tar");
    use(reader);
  };
  PushReport report = push_docker_archive_parallel(open_reader, several, {}, scan, 2);
  EXPECT_EQ(several.manifests, one.manifests);
  EXPECT_EQ(several.count("upload"), 3);
  EXPECT_EQ(report.uploaded, 4);  // Three layers and the config.
}

TEST(PushDockerArchive, SendsAlreadyCompressedLayersAsTheyAre) {
  FakeTarget target;
  std::string layer = layer_tar(1);
  Members members = {{"manifest.json", R"([{"Config":"c.json","Layers":["l.tar.zst"]}])"},
                     {"c.json", config_for({layer})},
                     {"l.tar.zst", make_tar({{"file1", std::string(5001, 'b')}})}};
  // Build the zstd member from the same layer tar the config names.
  members[2].second = [&] {
    test_support::StringSink out;
    LayerEncoder encoder("l", Compression::kZstd, out);
    encoder.write(as_bytes(layer.data(), layer.size()));
    encoder.finish();
    return out.text;
  }();
  PushOptions options;
  options.tag = "z";
  push(members, target, options);
  auto manifest = nlohmann::json::parse(target.manifests["z"].second);
  EXPECT_EQ(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(manifest["layers"][0]["digest"], digest::sha256(members[2].second).string());
}

}  // namespace
}  // namespace hocker::push
