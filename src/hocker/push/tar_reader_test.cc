#include "hocker/push/tar_reader.h"

#include <gtest/gtest.h>

#include "hocker/base/test_support.h"
#include "hocker/push/test_support.h"

namespace hocker::push {
namespace {

using test_support::kind_of;
using test_support::StringSink;
using testing::fd_reading;
using testing::make_tar;
using testing::Outer;

std::vector<std::pair<std::string, std::string>> read_all(const std::string& archive) {
  UniqueFd fd = fd_reading(archive);
  TarReader reader(fd.get(), "test.tar");
  std::vector<std::pair<std::string, std::string>> members;
  while (auto member = reader.next()) {
    StringSink sink;
    reader.read(sink);
    EXPECT_EQ(static_cast<std::int64_t>(sink.text.size()), member->size);
    members.emplace_back(member->name, sink.text);
  }
  return members;
}

TEST(TarReader, ReadsMembersInOrderWithTheirContent) {
  std::vector<std::pair<std::string, std::string>> members = {
      {"manifest.json", "[]"}, {"blobs/sha256/ab", std::string(300000, 'x')}, {"empty", ""}};
  EXPECT_EQ(read_all(make_tar(members)), members);
}

TEST(TarReader, ReadsWholeArchivesCompressedWithGzipOrZstd) {
  std::vector<std::pair<std::string, std::string>> members = {{"a", "alpha"}, {"b", "beta"}};
  EXPECT_EQ(read_all(make_tar(members, Outer::kGzip)), members);
  EXPECT_EQ(read_all(make_tar(members, Outer::kZstd)), members);
}

TEST(TarReader, DropsLeadingDotSlashFromNames) {
  auto members = read_all(make_tar({{"./manifest.json", "[]"}}));
  ASSERT_EQ(members.size(), 1U);
  EXPECT_EQ(members[0].first, "manifest.json");
}

TEST(TarReader, RefusesTraversalAndAbsoluteNamesAsBadInput) {
  for (std::string name : {"../evil", "a/../../evil", "/etc/passwd"}) {
    SCOPED_TRACE(name);
    UniqueFd fd = fd_reading(make_tar({{"fine", "x"}, {name, "y"}}));
    TarReader reader(fd.get(), "test.tar");
    ASSERT_TRUE(reader.next());
    std::string message;
    EXPECT_EQ(kind_of([&] { reader.next(); }, &message), ErrorKind::kFormat);
    EXPECT_NE(message.find("refused"), std::string::npos) << message;
  }
}

TEST(TarReader, AcceptsNamesThatOnlyContainDots) {
  EXPECT_EQ(member_name_problem("a..b/..c/d.."), "");
  EXPECT_EQ(member_name_problem("./a"), "");
  EXPECT_NE(member_name_problem(".."), "");
}

TEST(TarReader, ReadSmallRefusesAMemberPastTheLimit) {
  UniqueFd fd = fd_reading(make_tar({{"config.json", std::string(100, '{')}}));
  TarReader reader(fd.get(), "test.tar");
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(kind_of([&] { reader.read_small(99, "config"); }), ErrorKind::kFormat);
}

TEST(TarReader, RefusesSomethingThatIsNotATar) {
  UniqueFd fd = fd_reading(std::string(2048, 'z'));
  EXPECT_EQ(kind_of([&] {
              TarReader reader(fd.get(), "junk");
              reader.next();
            }),
            ErrorKind::kFormat);
}

}  // namespace
}  // namespace hocker::push
