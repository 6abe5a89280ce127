#include "hocker/cache/blob_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"

namespace hocker::cache {
namespace {

namespace fs = std::filesystem;

using hocker::test_support::StringSink;

class BlobCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("hocker-cache-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  static void put(BlobWriter& writer, std::string_view text) {
    writer.write(as_bytes(text.data(), text.size()));
  }
  fs::path root_;
};

TEST_F(BlobCacheTest, StoresAVerifiedBlobAndReadsItBack) {
  BlobCache cache(root_.string());
  std::string content = "layer bytes";
  digest::Digest digest = digest::sha256(content);
  EXPECT_FALSE(cache.find(digest));
  auto writer = cache.begin(digest, static_cast<std::int64_t>(content.size()));
  ASSERT_TRUE(writer);
  put(*writer, content);
  writer->commit();
  writer.reset();
  ASSERT_TRUE(cache.find(digest));
  StringSink sink;
  EXPECT_TRUE(cache.read(digest, sink));
  EXPECT_EQ(sink.text, content);
}

TEST_F(BlobCacheTest, ResumesFromThePartialFileOfAnInterruptedDownload) {
  BlobCache cache(root_.string());
  std::string content = "first half|second half";
  digest::Digest digest = digest::sha256(content);
  {
    auto writer = cache.begin(digest, static_cast<std::int64_t>(content.size()));
    put(*writer, content.substr(0, 11));  // Interrupted: no commit.
  }
  auto writer = cache.begin(digest, static_cast<std::int64_t>(content.size()));
  ASSERT_EQ(writer->offset(), 11);
  StringSink replayed;
  writer->replay(replayed);
  EXPECT_EQ(replayed.text, "first half|");
  put(*writer, content.substr(11));
  writer->commit();
  StringSink sink;
  EXPECT_TRUE(cache.read(digest, sink));
  EXPECT_EQ(sink.text, content);
}

TEST_F(BlobCacheTest, RefusesAndDropsContentThatDoesNotMatchTheDigest) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("expected");
  auto writer = cache.begin(digest, 8);
  put(*writer, "tampered");
  try {
    writer->commit();
    FAIL() << "commit accepted a wrong digest";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
    EXPECT_NE(std::string(error.what()).find("blob " + digest.string() + ": digest mismatch"),
              std::string::npos)
        << error.what();
  }
  writer.reset();
  EXPECT_FALSE(cache.find(digest));
  auto again = cache.begin(digest, 8);
  EXPECT_EQ(again->offset(), 0);
}

TEST_F(BlobCacheTest, KnowsWhenAPartialFileAlreadyHoldsTheWholeBlob) {
  BlobCache cache(root_.string());
  std::string content = "all of it arrived";
  digest::Digest digest = digest::sha256(content);
  const auto size = static_cast<std::int64_t>(content.size());
  {
    auto writer = cache.begin(digest, size);
    EXPECT_FALSE(writer->holds_whole_blob());
    put(*writer, content.substr(0, 3));
    EXPECT_FALSE(writer->holds_whole_blob());
    put(*writer, content.substr(3));  // Stopped before commit().
  }
  auto sized = cache.begin(digest, size);
  EXPECT_TRUE(sized->holds_whole_blob());
  sized.reset();
  // Without a size (hocker layer knows only the digest) it takes the replayed bytes' hash.
  auto unsized = cache.begin(digest, -1);
  EXPECT_FALSE(unsized->holds_whole_blob());
  StringSink replayed;
  unsized->replay(replayed);
  EXPECT_TRUE(unsized->holds_whole_blob());
  unsized->commit();
  EXPECT_TRUE(cache.find(digest));
}

TEST_F(BlobCacheTest, AnUnsizedPartialPrefixIsNotTheWholeBlob) {
  BlobCache cache(root_.string());
  std::string content = "only the first part";
  digest::Digest digest = digest::sha256(content);
  {
    auto writer = cache.begin(digest, -1);
    put(*writer, content.substr(0, 4));
  }
  auto writer = cache.begin(digest, -1);
  StringSink replayed;
  writer->replay(replayed);
  EXPECT_FALSE(writer->holds_whole_blob());
}

TEST_F(BlobCacheTest, DiscardDropsThePartialFileSoTheNextDownloadStartsAfresh) {
  BlobCache cache(root_.string());
  std::string content = "refused bytes";
  digest::Digest digest = digest::sha256(content);
  {
    auto writer = cache.begin(digest, static_cast<std::int64_t>(content.size()));
    put(*writer, "refu$ed");
    writer->discard();
  }
  auto again = cache.begin(digest, static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(again->offset(), 0);
  EXPECT_FALSE(cache.find(digest));
}

TEST_F(BlobCacheTest, ASecondWriterWaitsAndThenFindsTheBlobComplete) {
  BlobCache cache(root_.string());
  std::string content = "shared base layer";
  digest::Digest digest = digest::sha256(content);
  auto first = cache.begin(digest, static_cast<std::int64_t>(content.size()));
  auto second = std::async(std::launch::async, [&] {
    return cache.begin(digest, static_cast<std::int64_t>(content.size())) == nullptr;
  });
  put(*first, content);
  first->commit();
  first.reset();  // Releases the lock.
  EXPECT_TRUE(second.get());
}

// A sink that rejects what it is given, as the layer pipeline does with a bad stream.
class RejectingSink final : public ByteSink {
 public:
  void write(Bytes) override { throw Error(ErrorKind::kIntegrity, "corrupt gzip data"); }
  void finish() override {}
};

TEST_F(BlobCacheTest, DropsAnEntryThatRottedOnDiskAndSaysSo) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("layer bytes");
  auto writer = cache.begin(digest, 11);
  put(*writer, "layer bytes");
  writer->commit();
  std::ofstream(*cache.find(digest), std::ios::trunc) << "layer bytez";

  StringSink sink;
  try {
    cache.read(digest, sink);
    FAIL() << "a rotten entry was read";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
    EXPECT_NE(std::string(error.what()).find("is corrupt (digest mismatch"), std::string::npos);
  }
  EXPECT_FALSE(cache.find(digest));
}

TEST_F(BlobCacheTest, KeepsAnIntactEntryTheConsumerRejects) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("not gzip");
  auto writer = cache.begin(digest, 8);
  put(*writer, "not gzip");
  writer->commit();

  RejectingSink rejecting;
  EXPECT_THROW(cache.read(digest, rejecting), Error);
  EXPECT_TRUE(cache.find(digest));
}

TEST(CacheDirectory, PrefersTheFlagThenTheEnvironment) {
  ::setenv("HOCKER_CACHE", "/tmp/from-env", 1);
  EXPECT_EQ(cache_directory("/tmp/flag"), "/tmp/flag");
  EXPECT_EQ(cache_directory(""), "/tmp/from-env");
  ::unsetenv("HOCKER_CACHE");
  EXPECT_FALSE(cache_directory("").has_value());
}

}  // namespace
}  // namespace hocker::cache
