#include "hocker/archive/entry_placer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "hocker/archive/tar_writer.h"
#include "hocker/archive/test_image.h"
#include "hocker/base/error.h"

namespace hocker::archive {
namespace {

using testing::bytes_of;
using testing::TempDir;

struct Content {
  std::string data;
  std::int64_t predicted = -1;
};

std::vector<Content> contents(std::vector<std::size_t> sizes) {
  std::vector<Content> result;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    result.push_back(
        {std::string(sizes[i], static_cast<char>('a' + i)), static_cast<std::int64_t>(sizes[i])});
  }
  return result;
}

// The entries one after the other, as a tar stream holds them.
std::string expected_tar(const std::vector<Content>& entries) {
  std::string tar;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    TarHeader header = tar_header("layer" + std::to_string(i) + ".tar",
                                  static_cast<std::int64_t>(entries[i].data.size()));
    tar.append(reinterpret_cast<const char*>(header.data()), header.size());
    tar += entries[i].data;
    tar.append(
        static_cast<std::size_t>(tar_padding(static_cast<std::int64_t>(entries[i].data.size()))),
        '\0');
  }
  return tar;
}

// Places `entries` into a file, writing them one chunk at a time in `order` (entry indexes;
// each index once per chunk, so several entries are under way at once) and completing each
// after its last chunk. Returns the file's first end_offset() bytes.
std::string place(const std::vector<Content>& entries, const std::vector<std::size_t>& order,
                  const std::string& spool_dir) {
  TempDir directory;
  std::string path = directory.path + "/out.tar";
  AtomicFile file(path);
  std::vector<PlacedEntry> placed;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    placed.push_back({"layer" + std::to_string(i) + ".tar", -1, entries[i].predicted});
  }
  EntryPlacer placer(placed, file, 0, spool_dir);
  constexpr std::size_t kChunk = 1000;
  std::vector<std::size_t> at(entries.size(), 0);
  for (bool more = true; more;) {
    more = false;
    for (std::size_t i : order) {
      const std::string& data = entries[i].data;
      if (at[i] > data.size()) continue;
      if (at[i] < data.size())
        placer.content(i).write(bytes_of(std::string_view(data).substr(at[i], kChunk)));
      at[i] += kChunk;
      if (at[i] >= data.size()) {
        placer.complete(i);
        at[i] = data.size() + 1;
      } else {
        more = true;
      }
    }
  }
  EXPECT_TRUE(placer.all_placed());
  file.seek(placer.end_offset());
  file.commit();
  return testing::read_file(path).substr(0, static_cast<std::size_t>(placer.end_offset()));
}

TEST(EntryPlacer, RightPredictionsPlaceEntriesArrivingBackwardsWithoutSpooling) {
  auto entries = contents({5'000, 12'345, 700, 9'999});
  // The spool directory does not exist: any spool file would fail the write.
  EXPECT_EQ(place(entries, {3, 2, 1, 0}, "/nonexistent/spool"), expected_tar(entries));
}

TEST(EntryPlacer, WithoutPredictionsEntriesAheadOfTheirTurnSpool) {
  auto entries = contents({5'000, 3'000});
  for (auto& entry : entries) entry.predicted = -1;
  EXPECT_THROW(place(entries, {1, 0}, "/nonexistent/spool"), Error);
}

TEST(EntryPlacer, AHeadLongerThanPredictedMovesTheLaterEntriesAndStaysCorrect) {
  auto entries = contents({5'000, 4'000, 3'000});
  entries[0].predicted = 2'000;
  TempDir spool;
  // The later entries complete in place first; the head then outgrows its region.
  EXPECT_EQ(place(entries, {2, 1, 0}, spool.path), expected_tar(entries));
}

TEST(EntryPlacer, AHeadShorterThanPredictedMovesTheLaterEntriesAndStaysCorrect) {
  auto entries = contents({5'000, 4'000, 3'000});
  entries[0].predicted = 9'000;
  TempDir spool;
  EXPECT_EQ(place(entries, {2, 1, 0}, spool.path), expected_tar(entries));
}

TEST(EntryPlacer, ALaterEntryOutgrowingItsPredictionSpoolsAndStaysCorrect) {
  auto entries = contents({3'000, 6'000, 2'000, 1'500});
  entries[1].predicted = 1'000;  // Outgrown while the head is still entry 0.
  entries[3].predicted = 4'000;  // Short, and after a wrong one anyway.
  TempDir spool;
  EXPECT_EQ(place(entries, {3, 2, 1, 0}, spool.path), expected_tar(entries));
  EXPECT_EQ(place(entries, {0, 1, 2, 3}, spool.path), expected_tar(entries));
}

TEST(EntryPlacer, EntriesAfterOneWithoutPredictionFallBackToSpooling) {
  auto entries = contents({3'000, 2'000, 4'000, 1'000});
  entries[1].predicted = -1;
  TempDir spool;
  EXPECT_EQ(place(entries, {3, 2, 1, 0}, spool.path), expected_tar(entries));
}

TEST(EntryPlacer, AWrongPredictionOfZeroAndEmptyEntriesStayCorrect) {
  auto entries = contents({0, 2'000, 0, 513});
  entries[0].predicted = 512;
  TempDir spool;
  EXPECT_EQ(place(entries, {3, 1, 2, 0}, spool.path), expected_tar(entries));
}

}  // namespace
}  // namespace hocker::archive
