#include "hocker/auth/challenge.h"

#include <gtest/gtest.h>

namespace hocker::auth {
namespace {

TEST(ParseChallenges, ReadsADockerHubBearerChallenge) {
  auto challenges = parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",)"
      R"(scope="repository:library/debian:pull")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_EQ(challenges[0].params.at("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(challenges[0].params.at("service"), "registry.docker.io");
  EXPECT_EQ(challenges[0].params.at("scope"), "repository:library/debian:pull");
}

TEST(ParseChallenges, LowercasesSchemeAndParameterNames) {
  auto challenges = parse_challenges(R"(BASIC Realm="Registry Realm")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].params.at("realm"), "Registry Realm");
}

TEST(ParseChallenges, ReadsSeveralChallenges) {
  auto challenges = parse_challenges(
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "newauth");
  EXPECT_EQ(challenges[0].params.at("type"), "1");
  EXPECT_EQ(challenges[0].params.at("title"), R"(Login to "apps")");
  EXPECT_EQ(challenges[1].scheme, "basic");
  EXPECT_EQ(challenges[1].params.at("realm"), "simple");
}

TEST(ParseChallenges, KeepsCommasInsideQuotes) {
  auto challenges = parse_challenges(
      R"(Bearer realm="https://r/t",scope="repository:a:pull,push repository:b:pull")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].params.at("scope"), "repository:a:pull,push repository:b:pull");
}

TEST(ParseChallenges, AcceptsUnquotedValuesWithColonsAndSlashes) {
  auto challenges = parse_challenges(
      "Bearer realm=https://r.example/token, scope=repository:a/b:pull ,error=insufficient_scope");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].params.at("realm"), "https://r.example/token");
  EXPECT_EQ(challenges[0].params.at("scope"), "repository:a/b:pull");
  EXPECT_EQ(challenges[0].params.at("error"), "insufficient_scope");
}

TEST(ParseChallenges, ReadsSchemesWithoutParametersAndToken68) {
  auto challenges = parse_challenges("Negotiate, Basic YWxhZGRpbjpvcGVuc2VzYW1l==, Bearer");
  ASSERT_EQ(challenges.size(), 3u);
  EXPECT_EQ(challenges[0].scheme, "negotiate");
  EXPECT_TRUE(challenges[0].params.empty());
  EXPECT_EQ(challenges[1].params.at(""), "YWxhZGRpbjpvcGVuc2VzYW1l==");
  EXPECT_EQ(challenges[2].scheme, "bearer");
}

TEST(ParseChallenges, YieldsNothingForGarbage) {
  struct Case {
    std::string header;
  } cases[] = {
      {""},
      {"   ,, "},
      {"="},
      {"=realm"},
      {R"(Bearer realm="unterminated)"},
      {R"(Bearer realm="ends with backslash\)"},
      {R"(Bearer realm="a" junk="b)"},
      {R"(Bearer realm="a"x)"},
      {"Bearer realm=\"a\nb\""},
      {"\"Bearer\""},
      {"Bear{er realm=x"},
      {std::string(1, '\0')},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    EXPECT_TRUE(parse_challenges(c.header).empty());
  }
}

TEST(ParseChallenges, TakesAnEmptyParameterForToken68) {
  auto challenges = parse_challenges("Bearer realm=");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].params.count("realm"), 0u);
}

TEST(ParseChallenges, SurvivesHugeInputs) {
  std::string many_params = "Bearer ";
  for (int i = 0; i < 100000; ++i) many_params += "p" + std::to_string(i) + "=\"v\",";
  auto challenges = parse_challenges(many_params);
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].params.size(), 100000u);
  EXPECT_TRUE(parse_challenges("Bearer realm=\"" + std::string(1 << 20, 'x')).empty());
  EXPECT_EQ(parse_challenges(std::string(1 << 20, ',') + "Basic").size(), 1u);
  EXPECT_EQ(parse_challenges(std::string(1 << 20, 'B')).size(), 1u);
}

}  // namespace
}  // namespace hocker::auth
