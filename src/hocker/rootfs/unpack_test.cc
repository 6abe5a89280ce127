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
using testing::LayerStack;
using testing::make_tars;
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
    LayerStack stack(make_tars(entries));
    return unpack_rootfs(stack.files(), target_.string(), options);
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
      {"symlink named .", {{symlink(".", scratch_.string())}, {file("canary", "pwned")}}},
      {"hard link to a host path", {{hardlink("h", outside)}}},
      {"hard link through a symlinked directory",
       {{symlink("d", scratch_.string()), hardlink("h", "d/canary")}}},
      {"dot dot in a name", {{file("../canary", "pwned")}}},
      {"a symlink loop", {{symlink("a", "b"), symlink("b", "a")}, {file("a/x", "pwned")}}},
  };
  for (const Hostile& hostile : cases) {
    SCOPED_TRACE(hostile.name);
    EXPECT_EQ(kind_of([&] { unpack(hostile.layers); }), ErrorKind::kFormat);
    EXPECT_FALSE(fs::exists(target_));  // refused in the first pass: nothing created
    expect_canary_untouched();
  }
}

// A symlink that points outside, followed by an entry through it, is resolved with the
// directory as the root: the entry lands inside it, as umoci and docker place it.
TEST_F(Unpack, WritesThroughAHostileSymlinkOnlyInsideTheDirectory) {
  unpack({{symlink("a", scratch_.string())}, {file("a/canary", "inside")}});
  EXPECT_EQ(read(target_ / scratch_.relative_path() / "canary"), "inside");
  expect_canary_untouched();
  fs::remove_all(target_);
  unpack({{symlink("up", "../.."), file("up/canary", "inside")}});
  EXPECT_EQ(read(target_ / "canary"), "inside");
  EXPECT_EQ(fs::read_symlink(target_ / "up"), "../..");
  expect_canary_untouched();
}

TEST_F(Unpack, PlacesAnEntryUnderASymlinkedDirectoryWhereTheLinkResolves) {
  for (Resolver resolver : {Resolver::kOpenat2, Resolver::kWalk}) {
    SCOPED_TRACE(resolver == Resolver::kOpenat2 ? "openat2" : "walk");
    fs::remove_all(target_);
    UnpackOptions options;
    options.resolver = resolver;
    unpack({{dir("usr"), dir("usr/lib"), symlink("lib", "usr/lib"), dir("var"), dir("run"),
             symlink("var/run", "/run")},
            {file("lib/x.so", "X"), file("var/run/pid", "1")}},
           options);
    EXPECT_EQ(fs::read_symlink(target_ / "lib"), "usr/lib");
    EXPECT_EQ(read(target_ / "usr/lib/x.so"), "X");
    EXPECT_EQ(read(target_ / "run/pid"), "1");
    EXPECT_TRUE(fs::is_symlink(target_ / "var/run"));
  }
}

}  // namespace
}  // namespace hocker::rootfs
