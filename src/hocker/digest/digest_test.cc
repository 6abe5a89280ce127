#include "hocker/digest/digest.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"

namespace hocker::digest {
namespace {

const std::string kEmptySha256 =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Digest, ParsesAValidSha256Digest) {
  Digest digest = Digest::parse(kEmptySha256);
  EXPECT_EQ(digest.algorithm(), Algorithm::kSha256);
  EXPECT_EQ(digest.string(), kEmptySha256);
  EXPECT_EQ(digest.short_hex(), "e3b0c44");
}

TEST(Digest, ParsesAValidSha512Digest) {
  std::string text = "sha512:" + std::string(128, 'a');
  EXPECT_EQ(Digest::parse(text).algorithm(), Algorithm::kSha512);
}

TEST(Digest, RefusesMalformedDigests) {
  struct Case {
    const char* text;
  } cases[] = {
      {""},
      {"sha256"},
      {"sha256:"},
      {"sha256:abc"},
      {"sha256:../../etc/passwd"},
      {"md5:d41d8cd98f00b204e9800998ecf8427e"},
      {"SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},
      {"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550"},
      {"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/"},
      {"sha512:abcd"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_FALSE(Digest::try_parse(c.text).has_value());
    try {
      Digest::parse(c.text);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    }
  }
}

TEST(Digest, LayerFlagAcceptsBareAndPrefixedHex) {
  std::string hex = kEmptySha256.substr(7);
  EXPECT_EQ(Digest::from_sha256_hex(hex).string(), kEmptySha256);
  EXPECT_EQ(Digest::from_sha256_hex(kEmptySha256).string(), kEmptySha256);
  EXPECT_THROW(Digest::from_sha256_hex("1234"), Error);
}

TEST(Hasher, HashesIncrementallyLikeInOneGo) {
  Hasher hasher;
  hasher.update("hello ");
  Hasher copy = hasher.clone();
  hasher.update("world");
  EXPECT_EQ(hasher.digest(), sha256("hello world"));
  copy.update("world");
  EXPECT_EQ(copy.digest(), sha256("hello world"));
  EXPECT_EQ(sha256("").string(), kEmptySha256);
}

TEST(Hasher, Sha512MatchesKnownValue) {
  Hasher hasher(Algorithm::kSha512);
  hasher.update("abc");
  EXPECT_EQ(hasher.digest().hex().substr(0, 16), "ddaf35a193617aba");
}

TEST(Digest, RawBytesRoundTripThroughHex) {
  Digest digest = Digest::parse(kEmptySha256);
  EXPECT_EQ(to_hex(digest.raw_bytes()), digest.hex());
}

}  // namespace
}  // namespace hocker::digest
