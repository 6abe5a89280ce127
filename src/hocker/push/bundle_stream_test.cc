#include "hocker/push/bundle_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hocker/base/test_support.h"
#include "hocker/push/diff_id_map.h"
#include "hocker/push/test_support.h"

namespace hocker::push {
namespace {

using namespace testing;
using test_support::kind_of;

// Two images sharing base.tar, manifest.json first (as hocker image writes it).
Members bundle(const std::string& second_name = "x.io/two:2", int second_top = 3) {
  return {{"manifest.json",
           R"([{"Config":"a.json","RepoTags":["x.io/one:1"],"Layers":["base.tar","a.tar"]},)"
           R"({"Config":"b.json","RepoTags":[")" +
               second_name + R"("],"Layers":["base.tar","b.tar"]}])"},
          {"a.json", config_for({layer_tar(1), layer_tar(2)})},
          {"b.json", config_for({layer_tar(1), layer_tar(3)})},
          {"base.tar", layer_tar(1)},
          {"a.tar", layer_tar(2)},
          {"b.tar", layer_tar(second_top)}};
}

std::vector<std::string> push_stream(const Members& members, FakeTarget& target) {
  std::string archive = make_tar(members);
  UniqueFd fd = fd_reading(archive);
  TarReader reader(fd.get(), "stdin");
  DiffIdMap diff_ids("");
  PushOptions options;
  options.blobs.diff_ids = &diff_ids;
  std::vector<std::string> pushed;
  push_docker_stream(
      reader, std::nullopt, options, [&](const ref::Reference&) -> PushTarget& { return target; },
      [&](const BundleImage& image, const PushReport&) {
        pushed.push_back(pushed_name(image.name));
      });
  return pushed;
}

TEST(PushDockerStream, PushesEveryImageAndASharedLayerOnce) {
  FakeTarget target;
  EXPECT_EQ(push_stream(bundle(), target), (std::vector<std::string>{"x.io/one:1", "x.io/two:2"}));
  EXPECT_EQ(target.count("upload"), 3);  // base, a, b.
  EXPECT_EQ(target.count("put"), 2);     // The configs.
  ASSERT_EQ(target.manifests.size(), 2U);
  auto second = nlohmann::json::parse(target.manifests.at("2").second);
  EXPECT_EQ(second["config"]["digest"],
            digest::sha256(config_for({layer_tar(1), layer_tar(3)})).string());
}

TEST(PushDockerStream, RefusesALayerBeforeManifestJsonBeforeAnyUpload) {
  Members members = bundle();
  std::rotate(members.begin(), members.begin() + 1, members.end());  // manifest.json last.
  FakeTarget target;
  EXPECT_EQ(kind_of([&] { push_stream(members, target); }), ErrorKind::kUsage);
  EXPECT_TRUE(target.log.empty());
}

TEST(PushDockerStream, PutsNoManifestWhenAnyImageHasABadLayer) {
  FakeTarget target;
  EXPECT_EQ(kind_of([&] { push_stream(bundle("x.io/two:2", 4), target); }), ErrorKind::kIntegrity);
  EXPECT_TRUE(target.manifests.empty());
}

TEST(PushDockerStream, RefusesNamesOnSeveralRegistries) {
  FakeTarget target;
  EXPECT_EQ(kind_of([&] { push_stream(bundle("y.io/two:2"), target); }), ErrorKind::kUsage);
  EXPECT_TRUE(target.log.empty());
}

}  // namespace
}  // namespace hocker::push
