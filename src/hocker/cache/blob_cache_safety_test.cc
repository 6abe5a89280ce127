// The cache on a shared machine: entries planted by someone else (links, FIFOs, hard links)
// are never followed, written through or streamed; roots others could write are refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"
#include "hocker/cache/blob_cache.h"

namespace hocker::cache {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

using hocker::test_support::StringSink;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// Runs `body` in a child process killed after a few seconds, so that a test of something that
// used to hang fails instead of hanging the suite. True when the child ended normally with 0.
bool finishes_in_time(const std::function<void()>& body) {
  pid_t child = ::fork();
  if (child == 0) {
    ::alarm(5);
    try {
      body();
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class BlobCacheSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("hocker-cache-safety-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_);
    root_ = base_ / "cache";
    victim_ = base_ / "victim";
    std::ofstream(victim_) << "precious victim content";
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path blob_entry(const digest::Digest& digest) const {
    return root_ / "blobs" / "sha256" / digest.hex();
  }
  fs::path partial_entry(const digest::Digest& digest) const {
    return root_ / "partial" / "sha256" / digest.hex();
  }
  static void put(BlobWriter& writer, std::string_view text) {
    writer.write(as_bytes(text.data(), text.size()));
  }
  fs::path base_;
  fs::path root_;
  fs::path victim_;
};

TEST_F(BlobCacheSafetyTest, ASymlinkedBlobIsNeitherFollowedNorStreamed) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("the real layer");
  fs::create_symlink(victim_, blob_entry(digest));

  StringSink sink;
  EXPECT_FALSE(cache.read(digest, sink));
  EXPECT_EQ(sink.text, "");
  EXPECT_FALSE(cache.find(digest));
  EXPECT_EQ(slurp(victim_), "precious victim content");
}

TEST_F(BlobCacheSafetyTest, ASymlinkedPartialIsNotWrittenThrough) {
  BlobCache cache(root_.string());
  std::string content = "short";
  digest::Digest digest = digest::sha256(content);
  fs::create_symlink(victim_, partial_entry(digest));

  auto writer = cache.begin(digest, static_cast<std::int64_t>(content.size()));
  ASSERT_TRUE(writer);
  EXPECT_EQ(writer->offset(), 0);
  put(*writer, content);
  writer->commit();
  EXPECT_EQ(slurp(victim_), "precious victim content");
  EXPECT_FALSE(fs::is_symlink(blob_entry(digest)));
  EXPECT_EQ(slurp(blob_entry(digest)), content);
}

TEST_F(BlobCacheSafetyTest, AHardLinkedPartialIsNotWrittenThrough) {
  BlobCache cache(root_.string());
  std::string content = "precious victim content, and more";
  digest::Digest digest = digest::sha256(content);
  fs::create_hard_link(victim_, partial_entry(digest));

  auto writer = cache.begin(digest, static_cast<std::int64_t>(content.size()));
  ASSERT_TRUE(writer);
  EXPECT_EQ(writer->offset(), 0);
  put(*writer, content);
  writer->commit();
  EXPECT_EQ(slurp(victim_), "precious victim content");
  EXPECT_EQ(fs::hard_link_count(victim_), 1u);
}

TEST_F(BlobCacheSafetyTest, AHardLinkedBlobIsNotStreamed) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("precious victim content");
  fs::create_hard_link(victim_, blob_entry(digest));

  StringSink sink;
  EXPECT_FALSE(cache.read(digest, sink));
  EXPECT_EQ(sink.text, "");
  EXPECT_EQ(slurp(victim_), "precious victim content");
}

TEST_F(BlobCacheSafetyTest, AFifoPartialDoesNotHangTheDownload) {
  BlobCache cache(root_.string());
  std::string content(1 << 20, 'x');
  digest::Digest digest = digest::sha256(content);
  ASSERT_EQ(::mkfifo(partial_entry(digest).c_str(), 0600), 0);

  EXPECT_TRUE(finishes_in_time([&] {
    auto writer = cache.begin(digest, static_cast<std::int64_t>(content.size()));
    put(*writer, content);
    writer->commit();
  }));
}

TEST_F(BlobCacheSafetyTest, AFifoBlobDoesNotHangTheReader) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("layer");
  ASSERT_EQ(::mkfifo(blob_entry(digest).c_str(), 0600), 0);

  EXPECT_TRUE(finishes_in_time([&] {
    StringSink sink;
    EXPECT_FALSE(cache.read(digest, sink));
  }));
}

TEST_F(BlobCacheSafetyTest, ARottenEntryIsCaughtBeforeAnyByteReachesTheSink) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("layer bytes");
  auto writer = cache.begin(digest, 11);
  put(*writer, "layer bytes");
  writer->commit();
  writer.reset();
  std::ofstream(blob_entry(digest), std::ios::trunc) << "layer bytez";

  StringSink sink;
  EXPECT_THROW(cache.read(digest, sink), Error);
  EXPECT_EQ(sink.text, "");
}

TEST_F(BlobCacheSafetyTest, AnEntryOfTheWrongSizeIsNotStreamed) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("layer bytes");
  auto writer = cache.begin(digest, 11);
  put(*writer, "layer bytes");
  writer->commit();
  writer.reset();

  StringSink sink;
  EXPECT_THROW(cache.read(digest, sink, 12), Error);
  EXPECT_EQ(sink.text, "");
}

TEST_F(BlobCacheSafetyTest, CreatesItsFoldersAndFilesPrivate) {
  ::umask(022);
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("layer");
  auto writer = cache.begin(digest, 5);
  EXPECT_EQ(mode_of(partial_entry(digest)), 0600u);
  put(*writer, "layer");
  writer->commit();
  EXPECT_EQ(mode_of(blob_entry(digest)), 0600u);
  for (const char* folder : {"", "blobs", "blobs/sha256", "partial", "partial/sha256"}) {
    SCOPED_TRACE(folder);
    EXPECT_EQ(mode_of(root_ / folder), 0700u);
  }
}

TEST_F(BlobCacheSafetyTest, RefusesARootWritableByGroupOrOthers) {
  fs::create_directory(root_);
  ::chmod(root_.c_str(), 0775);
  try {
    BlobCache cache(root_.string());
    FAIL() << "a group-writable cache was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kLocalIo);
    EXPECT_NE(std::string(error.what()).find("writable by group or others"), std::string::npos)
        << error.what();
  }
}

TEST_F(BlobCacheSafetyTest, RefusesARootOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory away";
  fs::create_directory(root_);
  ::chmod(root_.c_str(), 0700);
  ASSERT_EQ(::chown(root_.c_str(), kNobody, kNobody), 0);
  try {
    BlobCache cache(root_.string());
    FAIL() << "a cache owned by another user was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kLocalIo);
    EXPECT_NE(std::string(error.what()).find("owned by uid 65534"), std::string::npos)
        << error.what();
  }
}

TEST_F(BlobCacheSafetyTest, RefusesAFolderInsideTheRootThatIsASymlink) {
  fs::create_directories(base_ / "elsewhere" / "sha256");
  fs::create_directory(root_);
  ::chmod(root_.c_str(), 0700);
  fs::create_directory_symlink(base_ / "elsewhere", root_ / "partial");
  EXPECT_THROW(BlobCache cache(root_.string()), Error);
}

TEST_F(BlobCacheSafetyTest, AnUnsizedPartialThatKeepsFailingIsDiscarded) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("the whole blob");
  std::int64_t largest = 0;
  for (int run = 0; run < 12; ++run) {
    auto writer = cache.begin(digest, -1);
    StringSink replayed;
    if (writer->offset() > 0) writer->replay(replayed);
    put(*writer, "endless bytes from a registry that never stops ");  // Then the run fails.
    largest = std::max(largest, writer->offset());
  }
  EXPECT_LE(largest, 48 * (kMaxUnsizedResumes + 1));
}

TEST_F(BlobCacheSafetyTest, APartialFileNeverGrowsPastTheKnownSize) {
  BlobCache cache(root_.string());
  digest::Digest digest = digest::sha256("12345");
  auto writer = cache.begin(digest, 5);
  put(*writer, "1234");
  EXPECT_THROW(put(*writer, "56789"), Error);
  EXPECT_EQ(fs::file_size(partial_entry(digest)), 4u);
}

}  // namespace
}  // namespace hocker::cache
