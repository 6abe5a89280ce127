#include "hocker/base/base64.h"

#include <gtest/gtest.h>

namespace hocker {
namespace {

TEST(Base64, EncodesRfc4648TestVectors) {
  struct Case {
    const char* data;
    const char* encoded;
  } cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {"user:pass", "dXNlcjpwYXNz"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.data);
    EXPECT_EQ(base64_encode(c.data), c.encoded);
    EXPECT_EQ(base64_decode(c.encoded), c.data);
  }
}

TEST(Base64, UsesPlusAndSlashForTheLastTwoSextets) {
  EXPECT_EQ(base64_encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
  EXPECT_EQ(base64_decode("+/+/"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64, RoundTripsEveryLengthAndByteValue) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(base64_decode(base64_encode(data)), data);
    data += static_cast<char>(i * 7);
  }
}

TEST(Base64, DecodesWithoutPaddingAndAroundWhitespace) {
  EXPECT_EQ(base64_decode("YQ"), "a");
  EXPECT_EQ(base64_decode("YWI"), "ab");
  EXPECT_EQ(base64_decode(" dXNlcjpwYXNz\n"), "user:pass");
  EXPECT_EQ(base64_decode("\t\r\nYQ==\r\n"), "a");
}

TEST(Base64, RefusesJunk) {
  for (const char* junk :
       {"Y", "YQ=", "Y Q==", "dXNl*jpwYXNz", "====", "YQ==YQ==", "YQ-_", "Y\x80Q=", "\xff\xfe"}) {
    SCOPED_TRACE(junk);
    EXPECT_FALSE(base64_decode(junk).has_value());
  }
  EXPECT_FALSE(base64_decode(std::string("YQ\0=", 4)).has_value());
}

TEST(Base64, HandlesALongInput) {
  std::string data(1 << 20, 'x');
  std::string encoded = base64_encode(data);
  EXPECT_EQ(encoded.size(), (data.size() + 2) / 3 * 4);
  EXPECT_EQ(base64_decode(encoded), data);
}

}  // namespace
}  // namespace hocker
