#include "hocker/mirror/source_plan.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"

namespace hocker::mirror {
namespace {

using test_support::kind_of;

RegistriesConf conf() {
  return parse_registries_conf(R"(
[[registry]]
prefix = "docker.io"
[[registry.mirror]]
location = "mirror.example.com/hub"
pull-from-mirror = "all"
[[registry.mirror]]
location = "127.0.0.1:5001"

[[registry]]
prefix = "example.com/team"
location = "internal.example.com:5000/copies/team"
insecure = true

[[registry]]
prefix = "*.blocked.example"
blocked = true
)",
                               "r.conf");
}

TEST(PlanSources, MirrorsRewriteTheMatchedPrefixAndKeepTheirOrder) {
  RegistriesConf registries = conf();
  SourcePlan plan =
      plan_sources(ref::Reference::parse("alpine:3"), &registries, {"http://127.0.0.1:6000"});
  EXPECT_EQ(plan.primary, ref::Reference::parse("alpine:3"));
  EXPECT_EQ(plan.ns, "docker.io");
  ASSERT_EQ(plan.mirrors.size(), 3u);
  // --mirror first, for the reference's own repository, digest-only.
  EXPECT_EQ(plan.mirrors[0].registry.domain, "127.0.0.1:6000");
  EXPECT_EQ(plan.mirrors[0].registry.scheme, "http");
  EXPECT_EQ(plan.mirrors[0].repository, "library/alpine");
  EXPECT_EQ(plan.mirrors[0].pull_from_mirror, PullFromMirror::kDigestOnly);
  EXPECT_EQ(plan.mirrors[1].registry.domain, "mirror.example.com");
  EXPECT_EQ(plan.mirrors[1].repository, "hub/library/alpine");
  EXPECT_EQ(plan.mirrors[1].pull_from_mirror, PullFromMirror::kAll);
  EXPECT_EQ(plan.mirrors[2].registry.domain, "127.0.0.1:5001");
  EXPECT_EQ(plan.mirrors[2].repository, "library/alpine");
}

TEST(PlanSources, ALocationRewritesThePrimary) {
  RegistriesConf registries = conf();
  SourcePlan plan = plan_sources(ref::Reference::parse("example.com/team/app:1"), &registries, {});
  EXPECT_EQ(plan.primary.registry.domain, "internal.example.com:5000");
  EXPECT_EQ(plan.primary.repository, "copies/team/app");
  EXPECT_EQ(plan.primary.tag, "1");
  EXPECT_TRUE(plan.primary_insecure);
  EXPECT_EQ(plan.ns, "example.com");
  EXPECT_TRUE(plan.mirrors.empty());
}

TEST(PlanSources, RefusesABlockedReferenceNamingTheFile) {
  RegistriesConf registries = conf();
  std::string message;
  EXPECT_EQ(
      kind_of(
          [&] { plan_sources(ref::Reference::parse("x.blocked.example/app:1"), &registries, {}); },
          &message),
      ErrorKind::kUsage);
  EXPECT_NE(message.find("blocked by r.conf:15"), std::string::npos) << message;
}

TEST(PlanSources, WithoutConfigurationOnlyTheFlagsCount) {
  SourcePlan plan =
      plan_sources(ref::Reference::parse("ghcr.io/org/app@sha256:" + std::string(64, 'a')), nullptr,
                   {"cache.local:5000"});
  ASSERT_EQ(plan.mirrors.size(), 1u);
  EXPECT_EQ(plan.mirrors[0].registry.domain, "cache.local:5000");
  EXPECT_EQ(plan.mirrors[0].repository, "org/app");
  EXPECT_EQ(plan.ns, "ghcr.io");
}

TEST(PlanSources, RefusesAMirrorFlagThatIsNoRegistryUrl) {
  EXPECT_EQ(kind_of([] { plan_sources(ref::Reference::parse("alpine"), nullptr, {"ftp://x"}); }),
            ErrorKind::kUsage);
}

TEST(MirrorServes, FollowsThePullFromMirrorRules) {
  struct Case {
    PullFromMirror mode;
    Request request;
    bool pulled_by_tag;
    bool serves;
  };
  const Case cases[] = {
      {PullFromMirror::kAll, Request::kTag, true, true},
      {PullFromMirror::kAll, Request::kDigest, false, true},
      {PullFromMirror::kDigestOnly, Request::kTag, true, false},
      {PullFromMirror::kDigestOnly, Request::kDigest, true, true},
      {PullFromMirror::kDigestOnly, Request::kDigest, false, true},
      {PullFromMirror::kTagOnly, Request::kTag, true, true},
      {PullFromMirror::kTagOnly, Request::kDigest, true, true},
      {PullFromMirror::kTagOnly, Request::kDigest, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.mode) * 100 + static_cast<int>(c.request) * 10 +
                 c.pulled_by_tag);
    EXPECT_EQ(mirror_serves(c.mode, c.request, c.pulled_by_tag), c.serves);
  }
}

}  // namespace
}  // namespace hocker::mirror
