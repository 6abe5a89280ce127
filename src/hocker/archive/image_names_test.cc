#include "hocker/archive/image_names.h"

#include <gtest/gtest.h>

#include "hocker/digest/digest.h"

namespace hocker::archive {
namespace {

TEST(ImageNames, RepoTagsAsDockerPullNamesThem) {
  std::string digest = digest::sha256("x").string();
  struct Case {
    std::string reference;
    std::vector<std::string> repo_tags;
  } cases[] = {
      {"debian:jessie", {"debian:jessie"}},
      {"docker.io/library/alpine", {"alpine:latest"}},
      {"team/app:1", {"team/app:1"}},
      {"localhost:5000/team/api:dev@" + digest, {"localhost:5000/team/api:dev"}},
      {"ghcr.io/org/app@" + digest, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reference);
    EXPECT_EQ(repo_tags(ref::Reference::parse(c.reference)), c.repo_tags);
  }
}

TEST(ImageNames, AGivenTagReplacesTheRepoTagsButNotTheOciNames) {
  ImageNames names = image_names(ref::Reference::parse("localhost:5000/team/api:dev"), "mine:1");
  EXPECT_EQ(names.repo_tags, std::vector<std::string>{"mine:1"});
  EXPECT_EQ(names.oci_ref_name, "dev");
  EXPECT_EQ(names.oci_image_name, "localhost:5000/team/api:dev");
}

TEST(ImageNames, AReferencePinnedByDigestAloneHasNoNames) {
  std::string digest = digest::sha256("x").string();
  ImageNames names = image_names(ref::Reference::parse("ghcr.io/org/app@" + digest), std::nullopt);
  EXPECT_TRUE(names.repo_tags.empty());
  EXPECT_EQ(names.oci_ref_name, "");
  EXPECT_EQ(names.oci_image_name, "");
}

}  // namespace
}  // namespace hocker::archive
