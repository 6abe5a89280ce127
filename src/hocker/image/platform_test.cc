#include "hocker/image/platform.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"

namespace hocker::image {
namespace {

TEST(Platform, ParsesOsArchitectureAndVariant) {
  EXPECT_EQ(Platform::parse("linux/amd64"), (Platform{"linux", "amd64", ""}));
  EXPECT_EQ(Platform::parse("linux/arm64/v8"), (Platform{"linux", "arm64", "v8"}));
  EXPECT_EQ(Platform::parse("windows/amd64").string(), "windows/amd64");
  EXPECT_EQ(Platform::parse("linux/arm/v7").string(), "linux/arm/v7");
}

TEST(Platform, RefusesMalformedPlatforms) {
  for (const char* text : {"", "linux", "linux/", "/amd64", "linux//v8", "linux/arm/v7/x",
                           "linux/amd 64", "linux/amd64/", "linux/../x", "linux/a\nb"}) {
    SCOPED_TRACE(text);
    try {
      Platform::parse(text);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kUsage);
      EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
    }
  }
}

TEST(Platform, NormalisesAliasesAndDefaultVariants) {
  struct Case {
    Platform given, normal;
  } cases[] = {
      {{"linux", "x86_64", ""}, {"linux", "amd64", ""}},
      {{"linux", "amd64", "v1"}, {"linux", "amd64", ""}},
      {{"linux", "amd64", "v3"}, {"linux", "amd64", "v3"}},
      {{"linux", "aarch64", ""}, {"linux", "arm64", "v8"}},
      {{"linux", "arm64", ""}, {"linux", "arm64", "v8"}},
      {{"linux", "arm64", "8"}, {"linux", "arm64", "v8"}},
      {{"linux", "arm", ""}, {"linux", "arm", "v7"}},
      {{"linux", "arm", "6"}, {"linux", "arm", "v6"}},
      {{"linux", "armhf", ""}, {"linux", "arm", "v7"}},
      {{"linux", "armel", ""}, {"linux", "arm", "v6"}},
      {{"linux", "i386", ""}, {"linux", "386", ""}},
      {{"Linux", "AMD64", ""}, {"linux", "amd64", ""}},
      {{"linux", "s390x", ""}, {"linux", "s390x", ""}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.given.string());
    EXPECT_EQ(c.given.normalized(), c.normal);
  }
}

TEST(Platform, MatchesAfterNormalisation) {
  struct Case {
    const char* entry;
    const char* wanted;
    bool matches;
  } cases[] = {
      {"linux/arm64", "linux/arm64/v8", true}, {"linux/arm64/v8", "linux/arm64", true},
      {"linux/amd64", "linux/amd64", true},    {"linux/arm", "linux/arm/v7", true},
      {"linux/arm/v6", "linux/arm/v7", false}, {"linux/amd64/v3", "linux/amd64", false},
      {"windows/amd64", "linux/amd64", false}, {"linux/arm64", "linux/amd64", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.entry) + " vs " + c.wanted);
    EXPECT_EQ(Platform::parse(c.entry).matches(Platform::parse(c.wanted)), c.matches);
  }
}

TEST(Platform, HostIsANormalisedLinuxPlatform) {
  Platform host = Platform::host();
  EXPECT_EQ(host.os, "linux");
  EXPECT_FALSE(host.architecture.empty());
  EXPECT_EQ(host, host.normalized());
#if defined(__x86_64__)
  EXPECT_EQ(host.string(), "linux/amd64");
#elif defined(__aarch64__)
  EXPECT_EQ(host.string(), "linux/arm64/v8");
#endif
}

}  // namespace
}  // namespace hocker::image
