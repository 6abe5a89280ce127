#include "hocker/lock/lockfile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"

namespace hocker::lock {
namespace {

using test_support::kind_of;

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');
const std::string kD = "sha256:" + std::string(64, 'd');
const std::string kE = "sha256:" + std::string(64, 'e');

Lockfile sample() {
  LockedPlatform arm{{"linux", "arm", "v7"},
                     {kB, "application/vnd.oci.image.manifest.v1+json", 1234},
                     {kC, "application/vnd.oci.image.config.v1+json", 567},
                     {}};
  LockedLayer layer;
  layer.digest = kD;
  layer.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  layer.size = 89;
  layer.diff_id = kE;
  arm.layers.push_back(layer);
  LockedPlatform amd64 = arm;
  amd64.platform = {"linux", "amd64", ""};
  amd64.layers.clear();
  LockedImage tagged{"127.0.0.1:5000/team/app:1.0",
                     "127.0.0.1:5000",
                     "team/app",
                     "1.0",
                     kA,
                     "application/vnd.oci.image.index.v1+json",
                     {arm, amd64}};
  LockedImage pinned = tagged;
  pinned.reference = "127.0.0.1:5000/team/app@" + kA;
  pinned.tag.reset();
  pinned.platforms = {amd64};
  return Lockfile{{tagged, pinned}};
}

std::string golden() {
  std::ifstream file(std::string(HOCKER_TEST_DATA) + "/lock/sample.lock.json");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(Lockfile, SerializesToTheDocumentedLayout) {
  EXPECT_EQ(serialize_lockfile(sample()), golden());
}

TEST(Lockfile, ParsesWhatItSerialized) {
  EXPECT_EQ(parse_lockfile(serialize_lockfile(sample()), "x.lock"), sample());
}

TEST(Lockfile, ReserializesAParsedFileByteForByte) {
  std::string text = golden();
  EXPECT_EQ(serialize_lockfile(parse_lockfile(text, "sample.lock.json")), text);
}

TEST(Lockfile, SerializesAnEmptyLockfile) {
  EXPECT_EQ(serialize_lockfile(Lockfile{}), "{\n  \"lockVersion\": 1,\n  \"images\": []\n}\n");
  EXPECT_EQ(parse_lockfile(serialize_lockfile(Lockfile{}), "x"), Lockfile{});
}

// Replaces the first occurrence of `from` in the golden file by `to`.
std::string golden_with(const std::string& from, const std::string& to) {
  std::string text = golden();
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(Lockfile, RejectsEachKindOfBadInput) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"not json", "invalid lockfile my.lock: document: not valid JSON"},
      {"[]", "top level: not a JSON object"},
      {"{\"images\": []}", "top level: lockVersion is missing"},
      {golden_with("\"lockVersion\": 1", "\"lockVersion\": 2"),
       "lockVersion: unsupported lockVersion 2; this hocker reads version 1"},
      {golden_with("\"lockVersion\": 1", "\"lockVersion\": \"1\""), "unsupported lockVersion"},
      {golden_with("\"lockVersion\": 1", "\"lockVersion\": 1.0"), "unsupported lockVersion"},
      {golden_with("\"images\": [", "\"extra\": 1, \"images\": ["),
       "top level: unknown key \"extra\""},
      {golden_with("\"digest\": \"sha256:aaaa", "\"digest\": \"sha256:AAAA"),
       "images[0].digest: \"sha256:AAAA"},
      {golden_with("\"digest\": \"sha256:bbbb", "\"digest\": \"md5:bbbb"),
       "images[0].platforms[0].manifest.digest: \"md5:bbbb"},
      {golden_with("\"diffId\": \"sha256:e", "\"diffId\": \"sha256:x"),
       "images[0].platforms[0].layers[0].diffId: \"sha256:x"},
      {golden_with("\"size\": 1234", "\"size\": -1"),
       "images[0].platforms[0].manifest.size: \"-1\" is not a non-negative integer"},
      {golden_with("\"size\": 567", "\"size\": 5.5"), "config.size: \"5.5\" is not a"},
      {golden_with("\"size\": 89", "\"size\": \"89\""), "layers[0].size"},
      {golden_with("\"size\": 89", "\"size\": 2000000000000"), "is larger than 1 TiB"},
      {golden_with("\"tag\": \"1.0\"", "\"tag\": 1"), "images[0].tag: not a string"},
      {golden_with("\"reference\": \"127.0.0.1:5000/team/app:1.0\"", "\"reference\": \"Bad\""),
       "images[0].reference: invalid reference"},
      {golden_with("\"os\": \"linux\"", "\"os\": \"\""),
       "images[0].platforms[0].platform.os: empty"},
      {golden_with("\"variant\": \"v7\"", "\"variant\": \"v7\", \"cpu\": \"x\""),
       "platform: unknown key \"cpu\""},
      {golden_with("\"repository\": \"team/app\",", ""), "images[0]: repository is missing"},
      {golden_with("\"layers\": [", "\"layers\": {\"a\": ["), "not valid JSON"},
      {golden_with("\"layers\": []", "\"layers\": 3"),
       "images[0].platforms[1].layers: not an array"},
      {"{\"lockVersion\": 1, \"images\": [{\"reference\": \"a\", \"registry\": \"r\", "
       "\"repository\": \"library/a\", \"tag\": null, \"digest\": \"" +
           kA + "\", \"mediaType\": \"m\", \"platforms\": []}]}",
       "images[0].platforms: empty"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.message);
    std::string message;
    EXPECT_EQ(kind_of([&] { parse_lockfile(test.text, "my.lock"); }, &message), ErrorKind::kFormat);
    EXPECT_NE(message.find(test.message), std::string::npos) << message;
    EXPECT_EQ(message.rfind("invalid lockfile my.lock: ", 0), 0u) << message;
  }
}

TEST(Lockfile, RejectsADocumentLargerThanTheLimit) {
  std::string text(kMaxLockfileSize + 1, ' ');
  std::string message;
  EXPECT_EQ(kind_of([&] { parse_lockfile(text, "big.lock"); }, &message), ErrorKind::kFormat);
  EXPECT_NE(message.find("big.lock"), std::string::npos);
}

class LockfileFile : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("hocker-lockfile-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::filesystem::path directory_;
};

TEST_F(LockfileFile, WritesAtomicallyAndReadsBack) {
  std::filesystem::path path = directory_ / "images.lock";
  write_lockfile(path, sample());
  EXPECT_EQ(read_lockfile(path), sample());
  // Only the target is left: the temporary was renamed over it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(directory_),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(LockfileFile, ReportsAMissingFileAsALocalError) {
  std::string message;
  EXPECT_EQ(kind_of([&] { read_lockfile(directory_ / "missing.lock"); }, &message),
            ErrorKind::kLocalIo);
  EXPECT_NE(message.find("missing.lock"), std::string::npos);
}

TEST_F(LockfileFile, NamesTheFileInParseErrors) {
  std::filesystem::path path = directory_ / "broken.lock";
  std::ofstream(path) << "{";
  std::string message;
  EXPECT_EQ(kind_of([&] { read_lockfile(path); }, &message), ErrorKind::kFormat);
  EXPECT_NE(message.find(path.string() + ": document: not valid JSON"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace hocker::lock
