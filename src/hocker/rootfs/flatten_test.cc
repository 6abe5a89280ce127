#include "hocker/rootfs/flatten.h"

#include <gtest/gtest.h>

#include "hocker/rootfs/test_tars.h"

namespace hocker::rootfs {
namespace {

using namespace testing;

TEST(Flatten, AWhiteoutHidesALowerFile) {
  auto listed = flatten_layers(
      {{dir("etc"), file("etc/a", "A"), file("etc/b", "B")}, {file("etc/.wh.a", "")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"etc/", 'd', "", 0755}, {"etc/b", 'f', "B", 0644}}));
}

TEST(Flatten, ADirectoryWhiteoutHidesItsSubtreeAndALaterLayerRecreatesIt) {
  auto listed = flatten_layers({{dir("d"), file("d/old"), dir("d/sub"), file("d/sub/x")},
                                {file(".wh.d", "")},
                                {dir("d", 0700), file("d/new", "N")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"d/", 'd', "", 0700}, {"d/new", 'f', "N", 0644}}));
}

TEST(Flatten, AWhiteoutNeverHidesAnEntryOfItsOwnLayer) {
  auto listed =
      flatten_layers({{file("a", "old"), file("b", "old")},
                      {file("a", "new"), file(".wh.a", ""), file(".wh.b", ""), file("b", "new")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"a", 'f', "new", 0644}, {"b", 'f', "new", 0644}}));
}

TEST(Flatten, AnOpaqueMarkerAfterItsLayersFilesHidesOnlyLowerChildren) {
  auto listed = flatten_layers({{dir("d"), file("d/lower"), dir("d/deep"), file("d/deep/x")},
                                {dir("d", 0750), file("d/mine", "M"), file("d/.wh..wh..opq", "")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"d/", 'd', "", 0750}, {"d/mine", 'f', "M", 0644}}));
}

TEST(Flatten, NoWhiteoutOrMarkerAppearsInTheOutput) {
  auto listed = flatten_layers({{file(".wh.nothing", ""), dir("d"), file("d/.wh..wh..opq", ""),
                                 file("d/.wh..wh.plnk", "")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"d/", 'd', "", 0755}}));
}

TEST(Flatten, AFileReplacingADirectoryRemovesItsSubtree) {
  auto listed = flatten_layers(
      {{dir("x"), file("x/a"), dir("x/b"), file("x/b/c")}, {file("x", "now a file")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"x", 'f', "now a file", 0644}}));
}

TEST(Flatten, ADirectoryReplacingAFileTakesItsPlace) {
  auto listed = flatten_layers({{file("x", "file")}, {dir("x"), file("x/inner", "I")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"x/", 'd', "", 0755}, {"x/inner", 'f', "I", 0644}}));
}

TEST(Flatten, ADirectoryOverADirectoryKeepsTheChildrenAndTakesTheNewMode) {
  auto listed = flatten_layers({{dir("d", 0755), file("d/kept", "K")}, {dir("d", 0711)}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"d/", 'd', "", 0711}, {"d/kept", 'f', "K", 0644}}));
}

TEST(Flatten, AHardLinkWhoseTargetIsHiddenLaterKeepsTheContent) {
  auto listed = flatten_layers(
      {{file("target", "shared"), hardlink("link", "target")}, {file(".wh.target", "")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"link", 'f', "shared", 0644}}));
}

TEST(Flatten, AHardLinkGroupWhoseTargetIsReplacedIsRepointedToASurvivor) {
  auto listed = flatten_layers(
      {{file("a", "old"), hardlink("b", "a"), hardlink("c", "a")}, {file("a", "new")}});
  EXPECT_EQ(listed, (std::vector<Listed>{
                        {"b", 'f', "old", 0644}, {"c", 'h', "b", 0644}, {"a", 'f', "new", 0644}}));
}

TEST(Flatten, AHardLinkToALowerLayerFileSharesItsContent) {
  auto listed = flatten_layers({{file("z", "data")}, {hardlink("a", "z")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"a", 'f', "data", 0644}, {"z", 'h', "a", 0644}}));
}

TEST(Flatten, DirectoriesComeFirstDepthFirstThenFilesInLayerOrder) {
  auto listed = flatten_layers(
      {{file("b/2", "2"), dir("b"), file("a-c", "3")}, {dir("a"), file("a/1", "1"), dir("a/z")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"a/", 'd', "", 0755},
                                         {"a/z/", 'd', "", 0755},
                                         {"b/", 'd', "", 0755},
                                         {"b/2", 'f', "2", 0644},
                                         {"a-c", 'f', "3", 0644},
                                         {"a/1", 'f', "1", 0644}}));
}

TEST(Flatten, SymlinksAreKeptAsLinksAndNeverFollowed) {
  auto listed = flatten_layers(
      {{symlink("abs", "/etc/passwd"), symlink("up", "../../x"), symlink("dot", ".")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"abs", 'l', "/etc/passwd", 0777},
                                         {"up", 'l', "../../x", 0777},
                                         {"dot", 'l', ".", 0777}}));
}

TEST(Flatten, TheSameLayersGiveTheSameBytes) {
  std::vector<std::string> tars = {make_tar({dir("a"), file("a/x", "1"), hardlink("y", "a/x")}),
                                   make_tar({file("a/.wh.x", ""), file("b", "2")})};
  EXPECT_EQ(flatten_tars(tars), flatten_tars(tars));
}

TEST(Flatten, ReadsGzipAndZstdLayers) {
  auto output =
      flatten_tars({make_tar({file("g", "G")}, "gzip"), make_tar({file("z", "Z")}, "zstd")});
  EXPECT_EQ(list_tar(output), (std::vector<Listed>{{"g", 'f', "G", 0644}, {"z", 'f', "Z", 0644}}));
}

TEST(Flatten, AnEmptyLayerChangesNothing) {
  auto output = flatten_tars({make_tar({file("f", "F")}), "", make_tar({})});
  EXPECT_EQ(list_tar(output), (std::vector<Listed>{{"f", 'f', "F", 0644}}));
}

TEST(Flatten, ImpliedParentsBecomeDirectoriesOwnedByRoot) {
  auto listed = flatten_layers({{file("./p/q/r", "R")}});
  EXPECT_EQ(listed,
            (std::vector<Listed>{
                {"p/", 'd', "", 0755}, {"p/q/", 'd', "", 0755}, {"p/q/r", 'f', "R", 0644}}));
}

TEST(Flatten, KeepsLongAndUtf8Names) {
  std::string long_name = std::string(150, 'n') + "/" + std::string(120, 'm');
  std::string utf8 = "d\xc3\xa9j\xc3\xa0/\xe6\x97\xa5\xe6\x9c\xac";
  auto listed = flatten_layers({{file(long_name, "L"), file(utf8, "U")}});
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[2], (Listed{long_name, 'f', "L", 0644}));
  EXPECT_EQ(listed[3], (Listed{utf8, 'f', "U", 0644}));
}

}  // namespace
}  // namespace hocker::rootfs
