#include "hocker/rootfs/entry_path.h"

#include <gtest/gtest.h>

#include "hocker/base/test_support.h"

namespace hocker::rootfs {
namespace {

TEST(NormalPath, DropsDotsEmptyComponentsAndSlashes) {
  struct Case {
    const char* name;
    const char* expected;
  } cases[] = {{"./a//b/", "a/b"}, {"/a/b", "a/b"}, {"a/./b", "a/b"}, {"./", ""},
               {"/", ""},          {".", ""},       {"a", "a"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(normal_path(c.name, "layer"), c.expected);
  }
}

TEST(NormalPath, RefusesDotDotAnywhere) {
  for (const char* name : {"..", "../x", "a/../b", "a/.."}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(test_support::kind_of([&] { normal_path(name, "layer"); }), ErrorKind::kFormat);
  }
}

TEST(EntryRole, RecognisesWhiteoutsOpaqueMarkersAndAufsMetadata) {
  struct Case {
    const char* path;
    EntryRole role;
    const char* hidden;
  } cases[] = {
      {"a/.wh.b", EntryRole::kWhiteout, "a/b"},    {".wh.top", EntryRole::kWhiteout, "top"},
      {"d/.wh..wh..opq", EntryRole::kOpaque, "d"}, {".wh..wh..opq", EntryRole::kOpaque, ""},
      {"x/.wh..wh.plnk", EntryRole::kIgnored, ""}, {"x/.wh.", EntryRole::kIgnored, ""},
      {"x/a.wh.b", EntryRole::kAddition, ""},      {"x/.whb", EntryRole::kAddition, ""}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    std::string hidden;
    EXPECT_EQ(entry_role(c.path, hidden), c.role);
    EXPECT_EQ(hidden, c.hidden);
  }
}

}  // namespace
}  // namespace hocker::rootfs
