#include "hocker/nix/fetchdocker.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/nix/fetchdocker_test_cases.h"
#include "hocker/nix/nix_test_support.h"

namespace hocker::nix {
namespace {

ErrorKind kind_of_render_error(const FetchdockerInput& input) {
  try {
    render_fetchdocker(input);
  } catch (const Error& error) {
    return error.kind();
  }
  ADD_FAILURE() << "expected an error";
  return ErrorKind::kInternal;
}

TEST(SplitRepository, SplitsTwoComponents) {
  EXPECT_EQ(split_repository("library/debian"),
            std::make_pair(std::string("library"), std::string("debian")));
  EXPECT_EQ(split_repository("team/api"), std::make_pair(std::string("team"), std::string("api")));
}

TEST(SplitRepository, PutsASingleComponentInLibrary) {
  EXPECT_EQ(split_repository("debian"),
            std::make_pair(std::string("library"), std::string("debian")));
}

TEST(SplitRepository, RefusesDeeperPathsSayingWhy) {
  try {
    split_repository("org/team/app");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    std::string message = error.what();
    EXPECT_NE(message.find("org/team/app"), std::string::npos) << message;
    EXPECT_NE(message.find("'/'"), std::string::npos) << message;
    EXPECT_NE(message.find("hocker-image"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(SplitRepository, RefusesEmptyComponents) {
  for (const char* path : {"", "/debian", "library/", "a//b"}) {
    SCOPED_TRACE(path);
    EXPECT_THROW(split_repository(path), Error);
  }
}

TEST(StoreName, AcceptsWhatNixAccepts) {
  EXPECT_TRUE(is_valid_store_name("debian"));
  EXPECT_TRUE(is_valid_store_name("my-image_1.2+x?=y"));
  EXPECT_TRUE(is_valid_store_name(std::string(211, 'a')));
  EXPECT_FALSE(is_valid_store_name(""));
  EXPECT_FALSE(is_valid_store_name(".hidden"));
  EXPECT_FALSE(is_valid_store_name("a/b"));
  EXPECT_FALSE(is_valid_store_name("my image"));
  EXPECT_FALSE(is_valid_store_name("quote\""));
  EXPECT_FALSE(is_valid_store_name(std::string(212, 'a')));
}

TEST(RenderFetchdocker, MatchesTheGoldens) {
  for (const testing::GoldenCase& golden : testing::golden_cases()) {
    SCOPED_TRACE(golden.file);
    EXPECT_EQ(render_fetchdocker(golden.input),
              testing::read_file(testing::golden_dir() / golden.file));
  }
}

TEST(RenderFetchdocker, IsDeterministic) {
  FetchdockerInput input = testing::golden_cases().at(1).input;
  EXPECT_EQ(render_fetchdocker(input), render_fetchdocker(input));
}

TEST(RenderFetchdocker, EscapesStrings) {
  FetchdockerInput input = testing::golden_cases().at(0).input;
  input.tag = "a\"${b}";
  input.registry = "http://host/\\v2/";
  std::string text = render_fetchdocker(input);
  EXPECT_NE(text.find("  tag = \"a\\\"\\${b}\";\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  registry = \"http://host/\\\\v2/\";\n"), std::string::npos) << text;
}

TEST(RenderFetchdocker, RefusesNonSha256Digests) {
  FetchdockerInput input = testing::golden_cases().at(0).input;
  digest::Digest sha512 = digest::Digest::parse("sha512:" + std::string(128, 'a'));
  FetchdockerInput bad_config = input;
  bad_config.config = sha512;
  EXPECT_EQ(kind_of_render_error(bad_config), ErrorKind::kFormat);
  FetchdockerInput bad_layer = input;
  bad_layer.layers.push_back(sha512);
  EXPECT_EQ(kind_of_render_error(bad_layer), ErrorKind::kFormat);
}

TEST(RenderFetchdocker, RefusesAnImageWithoutLayers) {
  FetchdockerInput input = testing::golden_cases().at(0).input;
  input.layers.clear();
  EXPECT_EQ(kind_of_render_error(input), ErrorKind::kFormat);
}

TEST(RenderFetchdocker, RefusesWhatFetchdockerAssertsAgainst) {
  FetchdockerInput input = testing::golden_cases().at(0).input;
  FetchdockerInput slash = input;
  slash.repository = "org/team";
  EXPECT_EQ(kind_of_render_error(slash), ErrorKind::kFormat);
  FetchdockerInput empty = input;
  empty.image_name = "";
  EXPECT_EQ(kind_of_render_error(empty), ErrorKind::kFormat);
}

TEST(RenderFetchdocker, RefusesANameNixCannotUse) {
  FetchdockerInput input = testing::golden_cases().at(0).input;
  input.name = "my image";
  EXPECT_EQ(kind_of_render_error(input), ErrorKind::kUsage);
}

}  // namespace
}  // namespace hocker::nix
