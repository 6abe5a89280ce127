#include "hocker/nix/escape.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hocker/base/error.h"
#include "hocker/nix/nix_test_support.h"

namespace hocker::nix {
namespace {

struct Case {
  std::string text;
  std::string escaped;
};

const Case kCases[] = {
    {"plain text", "plain text"},
    {"", ""},
    {"say \"hi\"", "say \\\"hi\\\""},
    {"back\\slash", "back\\\\slash"},
    {"${interpolation}", "\\${interpolation}"},
    {"cost $5", "cost $5"},
    {"$", "$"},
    {"a$", "a$"},
    {"$$", "$$"},
    {"$${x}", "$\\${x}"},
    {"\\${x}", "\\\\\\${x}"},
    {"${", "\\${"},
    {"line\nbreak\r\ttab", "line\\nbreak\\r\\ttab"},
    {"bell\x07 and \x1b", "bell\x07 and \x1b"},
    {"caf\xc3\xa9", "caf\xc3\xa9"},
};

TEST(EscapeString, EscapesWhatNixStringsInterpret) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(escape_string(c.text), c.escaped);
  }
}

TEST(EscapeString, QuoteStringAddsTheQuotes) {
  EXPECT_EQ(quote_string("a\"b"), "\"a\\\"b\"");
}

TEST(EscapeString, RefusesNulBytes) {
  try {
    escape_string(std::string("a\0b", 3));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kFormat);
  }
}

TEST(EscapeString, EvaluatesBackToTheOriginalInNix) {
  if (!testing::has_program("nix-instantiate")) GTEST_SKIP() << "nix-instantiate is not on PATH";
  std::string list = "[\n";
  nlohmann::json expected = nlohmann::json::array();
  for (const Case& c : kCases) {
    list += "  " + quote_string(c.text) + "\n";
    expected.push_back(c.text);
  }
  list += "]\n";
  std::filesystem::path file = testing::write_temp_file(list, ".nix");
  testing::CommandResult result = testing::run_command("nix-instantiate --eval --strict --json " +
                                                       testing::shell_quote(file) + " 2>/dev/null");
  std::filesystem::remove(file);
  ASSERT_EQ(result.status, 0) << list;
  EXPECT_EQ(nlohmann::json::parse(result.output), expected);
}

}  // namespace
}  // namespace hocker::nix
