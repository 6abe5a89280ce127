#include "hocker/nix/hash.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <vector>

#include "hocker/nix/nix_test_support.h"

namespace hocker::nix {
namespace {

struct Vector {
  std::string hex;
  std::string base32;
  std::string sri;
};

// Computed by nix-hash --to-base32 and nix hash to-sri (Nix 2.8), one vector per line.
std::vector<Vector> read_vectors() {
  std::istringstream lines(testing::read_file(testing::golden_dir() / "sha256_vectors.txt"));
  std::vector<Vector> vectors;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Vector vector;
    fields >> vector.hex >> vector.base32 >> vector.sri;
    vectors.push_back(vector);
  }
  return vectors;
}

std::string random_hex(std::mt19937& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 64; ++i) hex += kHex[random() % 16];
  return hex;
}

TEST(NixBase32, MatchesNixHashOnKnownVectors) {
  std::vector<Vector> vectors = read_vectors();
  ASSERT_GE(vectors.size(), 10u);
  for (const Vector& vector : vectors) {
    SCOPED_TRACE(vector.hex);
    EXPECT_EQ(base32(digest::Digest::from_sha256_hex(vector.hex).raw_bytes()), vector.base32);
  }
}

TEST(NixBase32, WritesFiftyTwoCharactersForSha256) {
  EXPECT_EQ(base32(std::string(32, '\x5a')).size(), 52u);
}

TEST(NixBase32, UsesNixsOwnBitOrderAndAlphabet) {
  // 0x80 in the last byte sets the highest bit, which lands in the first character; 0x01 in
  // the first byte sets the lowest, in the last character.
  EXPECT_EQ(base32(std::string(31, '\0') + "\x80"), "1" + std::string(51, '0'));
  EXPECT_EQ(base32("\x01" + std::string(31, '\0')), std::string(51, '0') + "1");
  for (char c : base32(std::string(32, '\xff') + "\x12\x34")) {
    EXPECT_EQ(std::string_view("eotu").find(c), std::string_view::npos) << c;
  }
}

TEST(NixBase32, HandlesSha512AndEmptyInput) {
  // nix-hash --type sha512 --to-base32 of sha512("abc").
  digest::Digest digest = digest::Digest::parse(
      "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a8"
      "36ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(base32(digest.raw_bytes()),
            "2gs8k559z4rlahfx0y688s49m2vvszylcikrfinm30ly9rak69236nkam5ydvly1ai7xac99vxfc4ii84haw"
            "jbk876blyk1jfhkbbyx");
  EXPECT_EQ(base32(""), "");
}

TEST(NixSri, MatchesNixOnKnownVectors) {
  for (const Vector& vector : read_vectors()) {
    SCOPED_TRACE(vector.hex);
    EXPECT_EQ(sri(digest::Digest::from_sha256_hex(vector.hex)), vector.sri);
  }
}

TEST(NixSri, NamesSha512) {
  digest::Digest digest = digest::Digest::parse("sha512:" + std::string(128, '0'));
  EXPECT_EQ(sri(digest), "sha512-" + std::string(86, 'A') + "==");
}

TEST(NixHashFormat, ChoosesBase32OrSri) {
  digest::Digest digest = digest::Digest::from_sha256_hex(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(format_hash(digest, HashFormat::kBase32),
            "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73");
  EXPECT_EQ(format_hash(digest, HashFormat::kSri),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(NixBase32, AgreesWithNixHashOnRandomDigests) {
  if (!testing::has_program("nix-hash")) GTEST_SKIP() << "nix-hash is not on PATH";
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  for (int i = 0; i < 8; ++i) {
    std::string hex = random_hex(random);
    SCOPED_TRACE(hex);
    testing::CommandResult result =
        testing::run_command("nix-hash --type sha256 --to-base32 " + hex + " 2>/dev/null");
    ASSERT_EQ(result.status, 0);
    EXPECT_EQ(base32(digest::Digest::from_sha256_hex(hex).raw_bytes()) + "\n", result.output);
  }
}

TEST(NixSri, AgreesWithNixOnRandomDigests) {
  if (!testing::has_program("nix")) GTEST_SKIP() << "nix is not on PATH";
  std::mt19937 random(std::random_device{}());
  for (int i = 0; i < 4; ++i) {
    std::string hex = random_hex(random);
    SCOPED_TRACE(hex);
    testing::CommandResult result = testing::run_command(
        "nix --extra-experimental-features nix-command hash to-sri --type sha256 " + hex +
        " 2>/dev/null");
    if (result.status != 0) GTEST_SKIP() << "this nix has no `nix hash to-sri`";
    EXPECT_EQ(sri(digest::Digest::from_sha256_hex(hex)) + "\n", result.output);
  }
}

}  // namespace
}  // namespace hocker::nix
