#include "hocker/archive/tar_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>

#include "hocker/archive/test_image.h"
#include "hocker/base/error.h"

namespace hocker::archive {
namespace {

using testing::parse_octal;

std::string_view field(const TarHeader& header, std::size_t offset, std::size_t length) {
  return std::string_view(reinterpret_cast<const char*>(header.data()) + offset, length);
}

TEST(TarHeader, IsDeterministicUstar) {
  TarHeader header = tar_header("manifest.json", 1234);
  EXPECT_EQ(field(header, 0, 14), std::string_view("manifest.json\0", 14));
  EXPECT_EQ(field(header, 100, 8), std::string_view("0000644\0", 8));
  EXPECT_EQ(field(header, 108, 8), std::string_view("0000000\0", 8));
  EXPECT_EQ(field(header, 116, 8), std::string_view("0000000\0", 8));
  EXPECT_EQ(parse_octal(field(header, 124, 12)), 1234U);
  EXPECT_EQ(field(header, 136, 12), std::string_view("00000000000\0", 12));
  EXPECT_EQ(field(header, 156, 1), "0");
  EXPECT_EQ(field(header, 257, 8), std::string_view("ustar\0"
                                                    "00",
                                                    8));
  EXPECT_EQ(field(header, 265, 64), std::string(64, '\0'));  // uname, gname empty.
  unsigned sum = 0;
  for (std::size_t i = 0; i < header.size(); ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned>(header[i]);
  }
  EXPECT_EQ(parse_octal(field(header, 148, 8)), sum);
}

TEST(TarHeader, DirectoriesHaveMode0755AndType5) {
  TarHeader header = tar_header("blobs/", 0, EntryType::kDirectory);
  EXPECT_EQ(field(header, 100, 8), std::string_view("0000755\0", 8));
  EXPECT_EQ(field(header, 156, 1), "5");
}

TEST(TarHeader, SizesFrom8GiBUseBase256) {
  std::int64_t largest_octal = (std::int64_t{1} << 33) - 1;
  EXPECT_EQ(field(tar_header("a", largest_octal), 124, 12), std::string_view("77777777777\0", 12));
  TarHeader big = tar_header("a", std::int64_t{1} << 33);
  EXPECT_EQ(static_cast<unsigned>(big[124]), 0x80U);
  EXPECT_EQ(field(big, 125, 11), std::string_view("\0\0\0\0\0\0\x02\0\0\0\0", 11));
  TarHeader huge = tar_header("a", 0x0123456789abLL);
  EXPECT_EQ(field(huge, 130, 6), std::string_view("\x01\x23\x45\x67\x89\xab", 6));
}

TEST(TarHeader, LongNamesGoToThePrefixAtASlash) {
  std::string directory(120, 'd');
  TarHeader header = tar_header(directory + "/file", 1);
  EXPECT_EQ(field(header, 0, 5), std::string_view("file\0", 5));
  EXPECT_EQ(field(header, 345, 120), directory);
}

TEST(TarHeader, RefusesNamesThatDoNotFit) {
  for (const std::string& name : {std::string(101, 'n'), std::string(), std::string("a\0b", 3),
                                  std::string(160, 'd') + "/file"}) {
    try {
      tar_header(name, 0);
      ADD_FAILURE() << "accepted a name of " << name.size() << " bytes";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    }
  }
}

TEST(TarPadding, RoundsUpToBlocks) {
  EXPECT_EQ(tar_padding(0), 0);
  EXPECT_EQ(tar_padding(1), 511);
  EXPECT_EQ(tar_padding(512), 0);
  EXPECT_EQ(tar_entry_size(513), 512 + 1024);
}

TEST(TarEntrySize, RefusesSizesNearInt64MaxWithoutOverflowing) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (std::int64_t size : {kMax, kMax - 511, kMax - 600}) {
    SCOPED_TRACE(size);
    try {
      tar_entry_size(size);
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    }
  }
  EXPECT_EQ(tar_entry_size(kMax - 1023 - 512), kMax - 1023);
}

TEST(TarWriter, GnuTarListsWhatWasWritten) {
  testing::TempDir directory;
  std::string path = directory.path + "/test.tar";
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    blob::FdSink sink(fileno(file), path);
    TarWriter writer(sink);
    writer.add_directory("blobs/");
    writer.add_file("blobs/hello.txt", "hello\n");
    writer.add_file("empty", "");
    writer.finish();
    EXPECT_EQ(writer.position(), 512 * 4 + 1024);
    std::fclose(file);
  }
  std::FILE* listing =
      ::popen(("TZ=UTC tar --numeric-owner -tvf '" + path + "' 2>&1").c_str(), "r");
  ASSERT_NE(listing, nullptr);
  std::string output;
  char buffer[4096];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, listing)) > 0) output.append(buffer, got);
  EXPECT_EQ(::pclose(listing), 0) << output;
  EXPECT_EQ(output,
            "drwxr-xr-x 0/0               0 1970-01-01 00:00 blobs/\n"
            "-rw-r--r-- 0/0               6 1970-01-01 00:00 blobs/hello.txt\n"
            "-rw-r--r-- 0/0               0 1970-01-01 00:00 empty\n");
}

TEST(TarWriter, RefusesContentOfTheWrongSize) {
  blob::StringSink sink;
  TarWriter writer(sink);
  writer.begin_file("a", 3);
  writer.write_content(testing::bytes_of("ab"));
  EXPECT_THROW(writer.end_file(), Error);
  EXPECT_THROW(writer.write_content(testing::bytes_of("cd")), Error);
}

}  // namespace
}  // namespace hocker::archive
