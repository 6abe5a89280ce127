// The flattener's refusals (malformed and hostile layers) and the metadata it keeps.
#include <gtest/gtest.h>

#include <map>

#include "hocker/rootfs/flatten.h"
#include "hocker/rootfs/test_tars.h"

namespace hocker::rootfs {
namespace {

using namespace testing;
using test_support::kind_of;

// The kind of error flattening `tars` throws, its message in `message`; nothing may be written.
ErrorKind refusal(const std::vector<std::string>& tars, std::string* message) {
  return kind_of([&] { flatten_tars(tars); }, message);
}

TEST(FlattenRefuses, AFileWrittenIntoAFile) {
  std::string message;
  EXPECT_EQ(refusal({make_tar({file("a", "A")}), make_tar({file("a/passwd", "evil")})}, &message),
            ErrorKind::kFormat);
  EXPECT_EQ(message, "layer 2: refusing entry a/passwd: a is not a directory");
}

TEST(FlattenRefuses, ANameWithDotDot) {
  std::string message;
  EXPECT_EQ(refusal({make_tar({file("a/../../etc/passwd")})}, &message), ErrorKind::kFormat);
  EXPECT_EQ(message, "layer 1: refusing entry a/../../etc/passwd: '..' would reach above the root");
}

TEST(FlattenRefuses, AHardLinkToAPathTheImageDoesNotHave) {
  std::string message;
  EXPECT_EQ(refusal({make_tar({hardlink("h", "/etc/passwd")})}, &message), ErrorKind::kFormat);
  EXPECT_EQ(message,
            "layer 1: refusing hard link h -> etc/passwd: its target is missing or not "
            "a file here");
}

TEST(FlattenRefuses, AHardLinkThroughASymlinkedDirectory) {
  EXPECT_EQ(refusal({make_tar({symlink("d", "/etc"), hardlink("h", "d/passwd")})}, nullptr),
            ErrorKind::kFormat);
}

TEST(FlattenRefuses, ASymlinkReplacingTheRoot) {
  EXPECT_EQ(refusal({make_tar({symlink(".", "/")})}, nullptr), ErrorKind::kFormat);
}

TEST(FlattenRefuses, ALayerThatIsNotATar) {
  std::string message;
  EXPECT_EQ(refusal({std::string(4096, 'z')}, &message), ErrorKind::kFormat);
  EXPECT_TRUE(message.starts_with("layer 1: not a valid tar")) << message;
}

TEST(FlattenRefuses, ATruncatedLayer) {
  std::string tar = make_tar({file("big", std::string(100000, 'b')), file("after")});
  EXPECT_EQ(refusal({tar.substr(0, 50000)}, nullptr), ErrorKind::kFormat);
  std::string gzip = make_tar({file("big", std::string(100000, 'b'))}, "gzip");
  EXPECT_EQ(refusal({gzip.substr(0, gzip.size() / 2)}, nullptr), ErrorKind::kFormat);
}

TEST(Flatten, KeepsModesOwnersTimesAndXattrs) {
  TarEntry special = file("bin/su", "S");
  special.mode = 04755;
  special.uid = 1000;
  special.gid = 50;
  special.uname = "user";
  special.mtime = 1234567890;
  special.xattrs = {{"user.comment", "hello"}, {"security.capability", std::string("\x01\x00", 2)}};
  TarEntry sticky = dir("tmp", 01777);
  TarEntry fifo = entry("run/pipe", 'p');
  std::string output = flatten_tars({make_tar({sticky, special, fifo})});
  LocaleScope utf8;
  archive* reader = archive_read_new();
  archive_read_support_format_tar(reader);
  archive_read_open_memory(reader, output.data(), output.size());
  archive_entry* entry = nullptr;
  std::vector<std::string> seen;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    std::string path = archive_entry_pathname(entry);
    seen.push_back(path);
    if (path == "tmp/") {
      EXPECT_EQ(archive_entry_perm(entry), 01777u);
    }
    if (path == "run/pipe") {
      EXPECT_EQ(archive_entry_filetype(entry), static_cast<mode_t>(AE_IFIFO));
    }
    if (path != "bin/su") continue;
    EXPECT_EQ(archive_entry_perm(entry), 04755u);
    EXPECT_EQ(archive_entry_uid(entry), 1000);
    EXPECT_EQ(archive_entry_gid(entry), 50);
    EXPECT_STREQ(archive_entry_uname(entry), "user");
    EXPECT_EQ(archive_entry_mtime(entry), 1234567890);
    EXPECT_EQ(archive_entry_xattr_count(entry), 2);
    std::map<std::string, std::string> xattrs;
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    archive_entry_xattr_reset(entry);
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
      xattrs[name] = std::string(static_cast<const char*>(value), size);
    }
    EXPECT_EQ(xattrs,
              (std::map<std::string, std::string>{
                  {"security.capability", std::string("\x01\x00", 2)}, {"user.comment", "hello"}}));
  }
  archive_read_free(reader);
  EXPECT_EQ(seen, (std::vector<std::string>{"bin/", "run/", "tmp/", "bin/su", "run/pipe"}));
}

}  // namespace
}  // namespace hocker::rootfs
