#include "hocker/rootfs/safe_open.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hocker::rootfs {
namespace {

namespace fs = std::filesystem;

// A root holding real/, real/file ("in"), and links of every kind; beside it, outside/file.
class OpenInRoot : public ::testing::TestWithParam<Resolver> {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() / ("hocker-safe-open-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(static_cast<int>(GetParam())));
    fs::remove_all(scratch_);
    fs::create_directories(scratch_ / "root/real");
    fs::create_directories(scratch_ / "outside");
    std::ofstream(scratch_ / "root/real/file") << "in";
    std::ofstream(scratch_ / "outside/file") << "out";
    fs::path root = scratch_ / "root";
    fs::create_directory_symlink("real", root / "relative");
    fs::create_directory_symlink("/real", root / "absolute");
    fs::create_directory_symlink("relative", root / "chain");
    fs::create_directory_symlink("../../../outside", root / "up");
    fs::create_directory_symlink(scratch_ / "outside", root / "host");
    fs::create_symlink("loop2", root / "loop1");
    fs::create_symlink("loop1", root / "loop2");
    fs::create_symlink("file", root / "real/last");
    root_.reset(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  void TearDown() override { fs::remove_all(scratch_); }

  // The content of the file `path` opens, or "errno N".
  std::string content(const std::string& path) {
    UniqueFd fd = open_in_root(root_.get(), path, O_RDONLY, GetParam());
    if (!fd.valid()) return "errno " + std::to_string(errno);
    char buffer[16] = {};
    ssize_t count = ::read(fd.get(), buffer, sizeof buffer);
    return std::string(buffer, count > 0 ? static_cast<std::size_t>(count) : 0);
  }

  fs::path scratch_;
  UniqueFd root_;
};

TEST_P(OpenInRoot, FollowsRelativeAbsoluteAndChainedLinksInsideTheRoot) {
  EXPECT_EQ(content("real/file"), "in");
  EXPECT_EQ(content("relative/file"), "in");
  EXPECT_EQ(content("absolute/file"), "in");
  EXPECT_EQ(content("chain/file"), "in");
  EXPECT_EQ(content("/real/file"), "in");
}

TEST_P(OpenInRoot, ClampsDotDotAndAbsoluteTargetsAtTheRoot) {
  EXPECT_EQ(content("../../real/file"), "in");
  EXPECT_EQ(content("real/../../../real/file"), "in");
  EXPECT_EQ(content("up/file"), "errno " + std::to_string(ENOENT));    // root/outside: missing
  EXPECT_EQ(content("host/file"), "errno " + std::to_string(ENOENT));  // root/<scratch>/...
  fs::create_directories(scratch_ / "root/outside");
  std::ofstream(scratch_ / "root/outside/file") << "clamped";
  EXPECT_EQ(content("up/file"), "clamped");
}

TEST_P(OpenInRoot, RefusesASymlinkLoopWithEloop) {
  EXPECT_EQ(content("loop1/file"), "errno " + std::to_string(ELOOP));
}

TEST_P(OpenInRoot, NeverFollowsTheLastComponent) {
  EXPECT_EQ(content("real/last"), "errno " + std::to_string(ELOOP));
  UniqueFd link = open_in_root(root_.get(), "relative", O_PATH, GetParam());
  ASSERT_TRUE(link.valid());
  struct stat status {};
  ASSERT_EQ(::fstat(link.get(), &status), 0);
  EXPECT_TRUE(S_ISLNK(status.st_mode));
  EXPECT_FALSE(open_in_root(root_.get(), "relative", O_PATH | O_DIRECTORY, GetParam()).valid());
  EXPECT_TRUE(open_in_root(root_.get(), "relative/.", O_PATH | O_DIRECTORY, GetParam()).valid());
  EXPECT_TRUE(open_in_root(root_.get(), "", O_PATH | O_DIRECTORY, GetParam()).valid());
}

INSTANTIATE_TEST_SUITE_P(BothResolvers, OpenInRoot,
                         ::testing::Values(Resolver::kOpenat2, Resolver::kWalk),
                         [](const auto& param_info) {
                           return std::string(param_info.param == Resolver::kOpenat2 ? "Openat2"
                                                                                     : "Walk");
                         });

}  // namespace
}  // namespace hocker::rootfs
