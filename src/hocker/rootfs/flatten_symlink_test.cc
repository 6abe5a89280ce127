// Paths through symlinked directories: resolved inside the root, as RESOLVE_IN_ROOT does.
#include <gtest/gtest.h>

#include "hocker/rootfs/flatten.h"
#include "hocker/rootfs/test_tars.h"

namespace hocker::rootfs {
namespace {

using namespace testing;
using test_support::kind_of;

TEST(FlattenThroughSymlinks, AnEntryUnderARelativeLinkLandsWhereTheLinkPoints) {
  auto listed = flatten_layers(
      {{dir("usr"), dir("usr/lib"), symlink("lib", "usr/lib")}, {file("lib/x.so", "X")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"usr/", 'd', "", 0755},
                                         {"usr/lib/", 'd', "", 0755},
                                         {"lib", 'l', "usr/lib", 0777},
                                         {"usr/lib/x.so", 'f', "X", 0644}}));
}

TEST(FlattenThroughSymlinks, AnAbsoluteLinkAndAChainAreResolvedFromTheRoot) {
  auto listed = flatten_layers({{dir("run"), dir("var"), symlink("var/run", "/run"),
                                 symlink("var/lock", "run/lock"), dir("run/lock")},
                                {file("var/lock/l", "L"), file("var/run/pid", "1")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"run/", 'd', "", 0755},
                                         {"run/lock/", 'd', "", 0755},
                                         {"var/", 'd', "", 0755},
                                         {"var/run", 'l', "/run", 0777},
                                         {"var/lock", 'l', "run/lock", 0777},
                                         {"run/lock/l", 'f', "L", 0644},
                                         {"run/pid", 'f', "1", 0644}}));
}

TEST(FlattenThroughSymlinks, DotDotStopsAtTheRootAndMissingDirectoriesAreImplied) {
  auto listed = flatten_layers({{symlink("up", "../../.."), symlink("host", "/etc/ssl")},
                                {file("up/a", "A"), file("host/cert", "C")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"etc/", 'd', "", 0755},
                                         {"etc/ssl/", 'd', "", 0755},
                                         {"up", 'l', "../../..", 0777},
                                         {"host", 'l', "/etc/ssl", 0777},
                                         {"a", 'f', "A", 0644},
                                         {"etc/ssl/cert", 'f', "C", 0644}}));
}

TEST(FlattenThroughSymlinks, TheLastComponentIsNeverFollowed) {
  auto listed =
      flatten_layers({{dir("d"), file("d/f", "F"), symlink("to-d", "d"), symlink("to-f", "d/f")},
                      {file("to-f", "replaced"), dir("to-d", 0700)}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"d/", 'd', "", 0755},
                                         {"to-d/", 'd', "", 0700},
                                         {"d/f", 'f', "F", 0644},
                                         {"to-f", 'f', "replaced", 0644}}));
}

TEST(FlattenThroughSymlinks, WhiteoutsAndHardLinksResolveTheirParentsToo) {
  auto listed =
      flatten_layers({{dir("usr"), dir("usr/lib"), file("usr/lib/a", "A"), file("usr/lib/b", "B"),
                       symlink("lib", "usr/lib"), symlink("etc", "/usr")},
                      {file("lib/.wh.a", ""), hardlink("h", "etc/lib/b")}});
  EXPECT_EQ(listed, (std::vector<Listed>{{"usr/", 'd', "", 0755},
                                         {"usr/lib/", 'd', "", 0755},
                                         {"h", 'f', "B", 0644},
                                         {"usr/lib/b", 'h', "h", 0644},
                                         {"lib", 'l', "usr/lib", 0777},
                                         {"etc", 'l', "/usr", 0777}}));
}

TEST(FlattenThroughSymlinks, ALoopIsRefused) {
  std::string message;
  EXPECT_EQ(kind_of(
                [&] {
                  flatten_tars(make_tars({{symlink("a", "b"), symlink("b", "a/")}, {file("a/x")}}));
                },
                &message),
            ErrorKind::kFormat);
  EXPECT_EQ(message, "layer 2: refusing entry a/x: too many levels of symbolic links");
  EXPECT_EQ(kind_of([&] {
              flatten_tars(make_tars({{symlink("self", "self/x"), file("self/y")}}));
            }),
            ErrorKind::kFormat);
}

TEST(FlattenThroughSymlinks, AnEntryUnderAFileIsRefused) {
  std::string message;
  EXPECT_EQ(kind_of(
                [&] {
                  flatten_tars(make_tars({{file("f", "F"), symlink("l", "f")}, {file("l/x")}}));
                },
                &message),
            ErrorKind::kFormat);
  EXPECT_EQ(message, "layer 2: refusing entry l/x: f is not a directory");
}

}  // namespace
}  // namespace hocker::rootfs
