#include "cli/version.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "hocker/base/version.h"

namespace hocker::cli {
namespace {

TEST(VersionLine, IsTheProgramNameTheProjectVersionAndTheCommit) {
  std::string line(version_line());
  EXPECT_EQ(line.rfind(std::string("hocker ") + kVersion + " (commit ", 0), 0u) << line;
  EXPECT_EQ(line.back(), ')') << line;
  EXPECT_TRUE(std::regex_match(kVersion, std::regex(R"([0-9]+\.[0-9]+\.[0-9]+)")));
}

TEST(VersionLine, UserAgentCarriesTheSameVersion) {
  EXPECT_EQ(std::string(kUserAgent), std::string("hocker/") + kVersion);
}

// The README's Nix example builds this repository under a version number of its own; it must
// say the version CMake's project() declares.
TEST(VersionLine, ReadmeNixExampleNamesTheProjectVersion) {
  std::ifstream readme(std::string(HOCKER_TEST_DATA) + "/../../README.md");
  ASSERT_TRUE(readme) << "README.md not found beside tests/";
  std::stringstream text;
  text << readme.rdbuf();
  std::smatch match;
  std::string content = text.str();
  ASSERT_TRUE(std::regex_search(content, match, std::regex(R"re(version = "([^"]*)";)re")));
  EXPECT_EQ(match[1].str(), kVersion);
}

}  // namespace
}  // namespace hocker::cli
