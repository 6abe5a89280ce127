#include "hocker/push/bundle_names.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hocker/base/test_support.h"

namespace hocker::push {
namespace {

using test_support::kind_of;

ArchiveImage entry(std::vector<std::string> repo_tags) {
  return ArchiveImage{"c.json", {"l.tar"}, std::move(repo_tags)};
}

std::string index_of(const std::vector<nlohmann::json>& annotations) {
  nlohmann::json index{{"schemaVersion", 2}, {"manifests", nlohmann::json::array()}};
  int seed = 0;
  for (const auto& notes : annotations) {
    nlohmann::json item{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                        {"digest", digest::sha256(std::to_string(seed++)).string()},
                        {"size", 10}};
    if (!notes.is_null()) item["annotations"] = notes;
    index["manifests"].push_back(item);
  }
  return index.dump();
}

TEST(ParseDestination, TakesARegistryAloneOrWithAPrefix) {
  Destination alone = parse_destination("localhost:5000");
  EXPECT_EQ(alone.registry.domain, "localhost:5000");
  EXPECT_EQ(alone.prefix, "");
  Destination prefixed = parse_destination("registry.example.com/mirror/team/");
  EXPECT_EQ(prefixed.registry.domain, "registry.example.com");
  EXPECT_EQ(prefixed.prefix, "mirror/team");
}

TEST(ParseDestination, RefusesANameWithoutAHostATagOrABadComponent) {
  EXPECT_EQ(kind_of([] { parse_destination("mirror/team"); }), ErrorKind::kUsage);
  EXPECT_EQ(kind_of([] { parse_destination("localhost:5000/app:1"); }), ErrorKind::kUsage);
  EXPECT_EQ(kind_of([] { parse_destination("localhost:5000/app@sha256:00"); }), ErrorKind::kUsage);
  EXPECT_EQ(kind_of([] { parse_destination("localhost:5000/Upper"); }), ErrorKind::kUsage);
}

TEST(Rehome, KeepsTheRepositoryPathAndTagBelowThePrefix) {
  ref::Reference name = ref::Reference::parse("debian:12");
  EXPECT_EQ(rehome(name, parse_destination("localhost:5000/mirror")).string(),
            "localhost:5000/mirror/library/debian:12");
  EXPECT_EQ(rehome(ref::Reference::parse("ghcr.io/org/app:1"), parse_destination("r.io")).string(),
            "r.io/org/app:1");
}

TEST(DockerBundleImages, PushesEveryNameOfEveryEntryInOrder) {
  auto images = docker_bundle_images(
      {entry({"localhost:5000/a:1", "localhost:5000/a:latest"}), entry({"example/b:2"})},
      std::nullopt);
  ASSERT_EQ(images.size(), 3U);
  EXPECT_EQ(pushed_name(images[0].name), "localhost:5000/a:1");
  EXPECT_EQ(pushed_name(images[1].name), "localhost:5000/a:latest");
  EXPECT_EQ(pushed_name(images[2].name), "docker.io/example/b:2");
  EXPECT_EQ(images[2].entries, std::vector<std::size_t>{1});
}

TEST(DockerBundleImages, GroupsEntriesThatCarryTheSameNameForAnIndex) {
  auto images = docker_bundle_images({entry({"x.io/app:1"}), entry({"x.io/app:1"})},
                                     parse_destination("localhost:5000/p"));
  ASSERT_EQ(images.size(), 1U);
  EXPECT_EQ(pushed_name(images[0].name), "localhost:5000/p/app:1");
  EXPECT_EQ(images[0].entries, (std::vector<std::size_t>{0, 1}));
}

TEST(DockerBundleImages, RefusesAnEntryWithoutANameOrATag) {
  EXPECT_EQ(kind_of([] {
              docker_bundle_images({entry({"a.io/x:1"}), entry({})}, std::nullopt);
            }),
            ErrorKind::kFormat);
  EXPECT_EQ(kind_of([] { docker_bundle_images({entry({"a.io/x"})}, std::nullopt); }),
            ErrorKind::kFormat);
  EXPECT_EQ(kind_of([] { docker_bundle_images({entry({"a.io/Bad:1"})}, std::nullopt); }),
            ErrorKind::kFormat);
}

TEST(OciBundleImages, NamesEntriesByTheContainerdNameOrAFullRefName) {
  std::string index = index_of({{{"io.containerd.image.name", "a.io/team/one:1"},
                                 {"org.opencontainers.image.ref.name", "1"}},
                                {{"org.opencontainers.image.ref.name", "b.io/two:2"}}});
  auto images = oci_bundle_images(index, std::nullopt);
  ASSERT_EQ(images.size(), 2U);
  EXPECT_EQ(pushed_name(images[0].name), "a.io/team/one:1");
  EXPECT_EQ(pushed_name(images[1].name), "b.io/two:2");
  EXPECT_EQ(images[1].entries, std::vector<std::size_t>{1});
}

TEST(OciBundleImages, RefusesATagAloneAnUnnamedEntryAndOneNameTwice) {
  EXPECT_EQ(
      kind_of([] {
        oci_bundle_images(index_of({{{"org.opencontainers.image.ref.name", "1"}}}), std::nullopt);
      }),
      ErrorKind::kFormat);
  EXPECT_EQ(kind_of([] { oci_bundle_images(index_of({nullptr}), std::nullopt); }),
            ErrorKind::kFormat);
  nlohmann::json same{{"io.containerd.image.name", "a.io/x:1"}};
  EXPECT_EQ(kind_of([&] {
              oci_bundle_images(index_of({same, same}), std::nullopt);
            }),
            ErrorKind::kFormat);
}

TEST(SingleEntryIndex, KeepsOnlyTheChosenEntry) {
  std::string index = index_of(
      {{{"io.containerd.image.name", "a.io/x:1"}}, {{"io.containerd.image.name", "a.io/y:1"}}});
  auto one = nlohmann::json::parse(single_entry_index(index, 1));
  ASSERT_EQ(one["manifests"].size(), 1U);
  EXPECT_EQ(one["manifests"][0]["annotations"]["io.containerd.image.name"], "a.io/y:1");
  EXPECT_EQ(kind_of([&] { single_entry_index(index, 2); }), ErrorKind::kFormat);
}

}  // namespace
}  // namespace hocker::push
