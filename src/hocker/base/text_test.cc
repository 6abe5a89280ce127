#include "hocker/base/text.h"

#include <gtest/gtest.h>

namespace hocker {
namespace {

TEST(AsciiLowercase, LowersOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lowercase("Docker.IO:5000/Library"), "docker.io:5000/library");
  EXPECT_EQ(ascii_lowercase(""), "");
  EXPECT_EQ(ascii_lowercase("@[`{"), "@[`{");  // The neighbours of 'A'-'Z' and 'a'-'z'.
}

TEST(AsciiLowercase, LeavesUtf8AndControlBytesAlone) {
  EXPECT_EQ(ascii_lowercase("\xc3\x89TAT\x01\x7f"), "\xc3\x89tat\x01\x7f");
  EXPECT_EQ(ascii_lowercase(std::string("A\0B", 3)), std::string("a\0b", 3));
}

TEST(Trim, RemovesSpacesTabsAndLineEndsAtBothEnds) {
  EXPECT_EQ(trim(" \t value \r\n"), "value");
  EXPECT_EQ(trim("in ner"), "in ner");
  EXPECT_EQ(trim(" \r\n\t "), "");
  EXPECT_EQ(trim(""), "");
}

TEST(Trim, KeepsOtherControlCharacters) {
  EXPECT_EQ(trim("\v\fx\0"), "\v\fx");
  EXPECT_EQ(trim(std::string_view("\0 x \0", 5)), std::string_view("\0 x \0", 5));
}

TEST(Trim, RemovesOnlyTheGivenCharacters) {
  EXPECT_EQ(trim("  3\t ", " "), "3\t");
  EXPECT_EQ(trim("xxaxx", "x"), "a");
  EXPECT_EQ(trim(" a ", ""), " a ");
}

TEST(TrimStartAndEnd, TrimOneSideEach) {
  EXPECT_EQ(trim_start(" \ta b \r\n"), "a b \r\n");
  EXPECT_EQ(trim_end(" \ta b \r\n"), " \ta b");
  EXPECT_EQ(trim_start("\r\nname", " \t"), "\r\nname");
  EXPECT_EQ(trim_end("   "), "");
  EXPECT_EQ(trim_start("   "), "");
}

TEST(Printable, ShowsPrintableAsciiAsIs) {
  EXPECT_EQ(printable("linux/amd64 ~!"), "linux/amd64 ~!");
  EXPECT_EQ(printable(""), "");
}

TEST(Printable, ReplacesControlCharactersDelAndEveryUtf8Byte) {
  EXPECT_EQ(printable("a\nb\rc\td\x1b[31m\x7f"), "a?b?c?d?[31m?");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf??");
  EXPECT_EQ(printable("\xff\xfe\x80"), "???");  // Not UTF-8 at all.
  EXPECT_EQ(printable(std::string_view("a\0b", 3)), "a?b");
}

TEST(Printable, CutsLongTextAndSaysSo) {
  std::string long_text(100000, 'x');
  EXPECT_EQ(printable(long_text), std::string(80, 'x') + "...");
  EXPECT_EQ(printable(long_text, 3), "xxx...");
  EXPECT_EQ(printable(std::string(80, 'y')), std::string(80, 'y'));  // Exactly the limit.
  EXPECT_EQ(printable(std::string(81, 'y')), std::string(80, 'y') + "...");
}

TEST(QuoteUntrusted, WrapsThePrintableFormInDoubleQuotes) {
  EXPECT_EQ(quote_untrusted("Foo"), "\"Foo\"");
  EXPECT_EQ(quote_untrusted(""), "\"\"");
  EXPECT_EQ(quote_untrusted("a\"b\n"), "\"a\"b?\"");
  EXPECT_EQ(quote_untrusted(std::string(200, 'z'), 100), "\"" + std::string(100, 'z') + "...\"");
}

TEST(OneLine, TurnsControlCharactersIntoSpaces) {
  EXPECT_EQ(one_line("two\nlines\r\n"), "two lines  ");
  EXPECT_EQ(one_line("tab\there\x1b[0m\x7f"), "tab here [0m ");
  EXPECT_EQ(one_line(std::string("nul\0byte", 8)), "nul byte");
}

TEST(OneLine, KeepsUtf8AndInvalidBytes) {
  EXPECT_EQ(one_line("caf\xc3\xa9 \xff"), "caf\xc3\xa9 \xff");
}

TEST(OneLine, CutsAtTheLimitOnlyWhenGivenOne) {
  std::string long_text(1 << 20, 'm');
  EXPECT_EQ(one_line(long_text), long_text);
  EXPECT_EQ(one_line(long_text, 200), std::string(200, 'm') + "...");
  EXPECT_EQ(one_line("short", 200), "short");
  EXPECT_EQ(one_line("abc\n", 3), "abc...");
}

}  // namespace
}  // namespace hocker

namespace hocker {
namespace {

TEST(PercentEncode, KeepsUnreservedBytesAndEncodesEveryOtherAsUpperHex) {
  EXPECT_EQ(percent_encode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(percent_encode("user:p@ss w/rd"), "user%3Ap%40ss%20w%2Frd");
  EXPECT_EQ(percent_encode(std::string("\x00\xff", 2)), "%00%FF");
  EXPECT_EQ(percent_encode(""), "");
}

}  // namespace
}  // namespace hocker

namespace hocker {
namespace {

TEST(StripUserinfo, DropsUserAndPasswordFromTheAuthorityOnly) {
  struct Case {
    const char* uri;
    const char* expected;
  } cases[] = {
      {"https://user:pass@reg.example:5000/v2/", "https://reg.example:5000/v2/"},
      {"http://user@host", "http://host"},
      {"https://host/path@not-userinfo", "https://host/path@not-userinfo"},
      {"https://host?q=a@b", "https://host?q=a@b"},
      {"https://a@b@host/x", "https://host/x"},
      {"host:5000", "host:5000"},
      {"", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.uri);
    EXPECT_EQ(strip_userinfo(c.uri), c.expected);
  }
}

}  // namespace
}  // namespace hocker
