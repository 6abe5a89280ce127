#include "hocker/base/atomic_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "hocker/base/error.h"

namespace hocker {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("hocker-atomic-file-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }
  static void put(AtomicFile& file, std::string_view text) {
    file.write(as_bytes(text.data(), text.size()));
  }
  fs::path folder_;
};

TEST_F(AtomicFileTest, ReplacesARegularFileOnlyOnCommit) {
  fs::path target = folder_ / "out";
  std::ofstream(target) << "old";
  AtomicFile file(target.string());
  EXPECT_FALSE(file.writes_through());
  put(file, "new");
  EXPECT_EQ(slurp(target), "old");
  file.commit();
  EXPECT_EQ(slurp(target), "new");
}

TEST_F(AtomicFileTest, WritesThroughAFifoAndLeavesItAFifo) {
  fs::path fifo = folder_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = slurp(fifo); });
  {
    AtomicFile file(fifo.string());
    EXPECT_TRUE(file.writes_through());
    put(file, "streamed");
    file.commit();
  }
  reader.join();
  EXPECT_EQ(received, "streamed");
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  EXPECT_EQ(std::distance(fs::directory_iterator(folder_), fs::directory_iterator()), 1);
}

TEST_F(AtomicFileTest, WritesThroughACharacterDeviceBehindASymlink) {
  fs::path link = folder_ / "null";
  fs::create_symlink("/dev/null", link);
  AtomicFile file(link.string());
  EXPECT_TRUE(file.writes_through());
  put(file, "discarded");
  file.commit();
  EXPECT_TRUE(fs::is_symlink(link));
}

TEST_F(AtomicFileTest, ReplacesTheFileASymlinkNamesAndKeepsTheLink) {
  fs::path real = folder_ / "real";
  fs::path link = folder_ / "link";
  std::ofstream(real) << "old";
  fs::create_symlink(real, link);
  AtomicFile file(link.string());
  put(file, "new");
  file.commit();
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(slurp(real), "new");
}

TEST_F(AtomicFileTest, RefusesADirectoryAndABlockDevice) {
  EXPECT_THROW(AtomicFile file(folder_.string()), Error);
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for mknod";
  fs::path block = folder_ / "block";
  ASSERT_EQ(::mknod(block.c_str(), S_IFBLK | 0600, makedev(7, 200)), 0);
  try {
    AtomicFile file(block.string());
    FAIL() << "a block device was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kLocalIo);
    EXPECT_NE(std::string(error.what()).find("block device"), std::string::npos);
  }
  EXPECT_TRUE(fs::is_block_file(fs::symlink_status(block)));
}

TEST_F(AtomicFileTest, RefusesASymlinkOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a symlink away";
  fs::path real = folder_ / "real";
  fs::path link = folder_ / "link";
  std::ofstream(real) << "precious";
  fs::create_symlink(real, link);
  ASSERT_EQ(::lchown(link.c_str(), 65534, 65534), 0);
  EXPECT_THROW(AtomicFile file(link.string()), Error);
  EXPECT_EQ(slurp(real), "precious");
}

}  // namespace
}  // namespace hocker
