#include "hocker/push/diff_id_map.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace hocker::push {
namespace {

class DiffIdMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/push-map-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    folder_ = pattern;
    path_ = diff_id_map_path(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::string folder_, path_;
};

const digest::Digest kDiffId = digest::sha256("tar");
const digest::Digest kBlob = digest::sha256("blob");

TEST_F(DiffIdMapTest, RemembersABlobPerDiffIdAndCompressionAcrossRuns) {
  DiffIdMap map = DiffIdMap::load(path_);
  EXPECT_FALSE(map.find(kDiffId, Compression::kGzip));
  map.record(kDiffId, Compression::kGzip, {kBlob, 42});
  map.save();
  DiffIdMap again = DiffIdMap::load(path_);
  auto found = again.find(kDiffId, Compression::kGzip);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->digest, kBlob);
  EXPECT_EQ(found->size, 42);
  EXPECT_FALSE(again.find(kDiffId, Compression::kZstd));
}

TEST_F(DiffIdMapTest, WritesOneSortedLinePerEntryReadableOnlyByTheOwner) {
  DiffIdMap map(path_);
  map.record(kDiffId, Compression::kZstd, {kBlob, 7});
  map.save();
  std::ifstream file(path_);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, kDiffId.string() + " zstd " + kBlob.string() + " 7\n");
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
}

TEST_F(DiffIdMapTest, IgnoresLinesThatDoNotParse) {
  std::ofstream(path_) << "garbage\n"
                       << kDiffId.string() + " brotli " + kBlob.string() + " 1\n"
                       << kDiffId.string() + " gzip sha256:xyz 1\n"
                       << kDiffId.string() + " gzip " + kBlob.string() + " -5\n"
                       << kDiffId.string() + " gzip " + kBlob.string() + " 9\n";
  DiffIdMap map = DiffIdMap::load(path_);
  auto found = map.find(kDiffId, Compression::kGzip);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size, 9);
  EXPECT_EQ(map.serialise(), kDiffId.string() + " gzip " + kBlob.string() + " 9\n");
}

TEST_F(DiffIdMapTest, DoesNotRecordUncompressedLayers) {
  DiffIdMap map(path_);
  map.record(kDiffId, Compression::kNone, {kDiffId, 3});
  map.save();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

}  // namespace
}  // namespace hocker::push
