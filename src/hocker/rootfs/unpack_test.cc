#include "hocker/rootfs/unpack.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "hocker/rootfs/safe_open.h"
#include "hocker/rootfs/test_tars.h"

namespace hocker::rootfs {
namespace {

namespace fs = std::filesystem;
using test_support::kind_of;
using testing::dir;
using testing::file;
using testing::hardlink;
using testing::Layer;
using testing::make_tar;
using testing::symlink;
using testing::TarEntry;

class Unpack : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() /
               ("hocker-unpack-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
    std::ofstream(scratch_ / "canary") << "untouched";
    target_ = scratch_ / "root";
  }
  void TearDown() override { fs::remove_all(scratch_); }

  UnpackSummary unpack(const std::vector<std::vector<TarEntry>>& entries,
                       UnpackOptions options = {}) {
    std::vector<Layer> layers;
    layers.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      layers.emplace_back(make_tar(entries[i]), "layer " + std::to_string(i + 1));
    }
    std::vector<LayerFile> files;
    for (const Layer& layer : layers) files.push_back(layer.file());
    return unpack_rootfs(files, target_.string(), options);
  }
  std::string read(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void expect_canary_untouched() {
    EXPECT_EQ(read(scratch_ / "canary"), "untouched");
    EXPECT_EQ(std::distance(fs::directory_iterator(scratch_), fs::directory_iterator()),
              fs::exists(target_) ? 2 : 1);
  }

  fs::path scratch_;
  fs::path target_;
};

TEST_F(Unpack, WritesTheFlattenedTreeWithModesLinksAndTimes) {
  TarEntry setuid = file("bin/tool", "T");
  setuid.mode = 04755;
  auto summary = unpack(
      {{dir("bin"), setuid, file("etc/old", "O"), dir("tmp", 01777)},
       {file("etc/.wh.old", ""), symlink("bin/link", "tool"), hardlink("bin/hard", "bin/tool")}});
  EXPECT_EQ(read(target_ / "bin/tool"), "T");
  EXPECT_EQ(read(target_ / "bin/hard"), "T");
  EXPECT_EQ(fs::read_symlink(target_ / "bin/link"), "tool");
  EXPECT_FALSE(fs::exists(target_ / "etc/old"));
  struct stat status {};
  ASSERT_EQ(::stat((target_ / "bin/tool").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 04755u);
  EXPECT_EQ(status.st_nlink, 2u);
  EXPECT_EQ(status.st_mtime, 1000);
  ASSERT_EQ(::stat((target_ / "tmp").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 01777u);
  EXPECT_EQ(summary.devices_skipped, 0);
}

TEST_F(Unpack, SkipsDevicesAndOwnershipWhenNotAllowedAndCountsThem) {
  TarEntry owned = file("owned", "O");
  owned.uid = 4242;
  TarEntry device = testing::entry("dev/null", 'c');
  auto summary = unpack({{owned, device}}, UnpackOptions{false, false});
  EXPECT_EQ(summary.devices_skipped, 1);
  EXPECT_GE(summary.ownership_skipped, 1);
  EXPECT_FALSE(fs::exists(target_ / "dev/null"));
}

struct Hostile {
  const char* name;
  std::vector<std::vector<TarEntry>> layers;
};

TEST_F(Unpack, RefusesEveryKnownEscapeBeforeWritingAnything) {
  std::string outside = (scratch_ / "canary").string();
  Hostile cases[] = {
      {"symlink then a file through it",
       {{symlink("a", scratch_.string())}, {file("a/canary", "pwned")}}},
      {"symlink to .. then a file through it", {{symlink("up", ".."), file("up/canary", "pwned")}}},
      {"symlink named .", {{symlink(".", scratch_.string())}, {file("canary", "pwned")}}},
      {"hard link to a host path", {{hardlink("h", outside)}}},
      {"hard link through a symlinked directory",
       {{symlink("d", scratch_.string()), hardlink("h", "d/canary")}}},
      {"dot dot in a name", {{file("../canary", "pwned")}}},
  };
  for (const Hostile& hostile : cases) {
    SCOPED_TRACE(hostile.name);
    EXPECT_EQ(kind_of([&] { unpack(hostile.layers); }), ErrorKind::kFormat);
    EXPECT_FALSE(fs::exists(target_));  // refused in the first pass: nothing created
    expect_canary_untouched();
  }
}

TEST_F(Unpack, RefusesADirectoryThatIsNotEmpty) {
  fs::create_directories(target_);
  std::ofstream(target_ / "existing") << "x";
  EXPECT_EQ(kind_of([&] { unpack({{file("f")}}); }), ErrorKind::kLocalIo);
}

TEST_F(Unpack, OpenBeneathRefusesSymlinksAndEscapesWithBothResolvers) {
  fs::create_directories(target_ / "real");
  fs::create_directory_symlink(scratch_, target_ / "out");
  fs::create_directory_symlink("real", target_ / "in");
  UniqueFd root(::open(target_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (Resolver resolver : {Resolver::kOpenat2, Resolver::kWalk}) {
    SCOPED_TRACE(resolver == Resolver::kOpenat2 ? "openat2" : "walk");
    EXPECT_TRUE(open_beneath(root.get(), "real", O_PATH | O_DIRECTORY, resolver).valid());
    EXPECT_TRUE(open_beneath(root.get(), "", O_PATH | O_DIRECTORY, resolver).valid());
    for (const char* path : {"out", "in", "out/root", "../root", "/etc", "real/../.."}) {
      SCOPED_TRACE(path);
      EXPECT_FALSE(open_beneath(root.get(), path, O_PATH | O_DIRECTORY, resolver).valid());
    }
  }
}

}  // namespace
}  // namespace hocker::rootfs
