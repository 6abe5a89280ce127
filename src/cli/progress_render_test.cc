#include "cli/progress_render.h"

#include <gtest/gtest.h>

namespace hocker::cli {
namespace {

ProgressSnapshot two_layers_in_flight() {
  ProgressSnapshot snapshot;
  snapshot.layers = {{"ca4f61b", 25'000'000, 12'300'000, false},
                     {"f999ae2", 10'000'000, 10'000'000, true},
                     {"0b1c2d3", 0, 4'000, false}};
  snapshot.layer_count = 8;
  snapshot.total_bytes = 120'000'000;
  snapshot.done_bytes = 30'000'000;
  snapshot.seconds = 2.0;
  return snapshot;
}

TEST(HumanBytes, UsesDecimalUnitsWithOneDecimal) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(999), "999 B");
  EXPECT_EQ(human_bytes(1500), "1.5 KB");
  EXPECT_EQ(human_bytes(2'000'000'000), "2.0 GB");
}

TEST(HumanDuration, GrowsFromSecondsToHours) {
  EXPECT_EQ(human_duration(0), "0s");
  EXPECT_EQ(human_duration(6.2), "7s");
  EXPECT_EQ(human_duration(65), "1m05s");
  EXPECT_EQ(human_duration(7380), "2h03m");
  EXPECT_EQ(human_duration(-1), "--");
}

TEST(RenderProgress, ShowsLayersInFlightThenTheTotalWithRateAndEta) {
  std::vector<std::string> lines = render_progress(two_layers_in_flight(), 200);
  ASSERT_EQ(lines.size(), 3u);  // The finished layer has left the block.
  EXPECT_EQ(lines[0], "ca4f61b  [=========>          ]  12.3 MB / 25.0 MB");
  EXPECT_EQ(lines[1], "0b1c2d3  4.0 KB");  // Size unknown: no bar.
  // 90 MB left at 15 MB/s.
  EXPECT_EQ(lines[2], "total    30.0 MB / 120.0 MB, 1 of 8 layers, 15.0 MB/s, ETA 6s");
}

TEST(RenderProgress, ShowsNoRateOrEtaBeforeThereIsAnyMeasure) {
  ProgressSnapshot snapshot = two_layers_in_flight();
  snapshot.seconds = 0.1;
  EXPECT_EQ(render_progress(snapshot, 200).back(), "total    30.0 MB / 120.0 MB, 1 of 8 layers");
}

TEST(RenderProgress, CutsEveryLineToTheTerminalWidth) {
  for (const std::string& line : render_progress(two_layers_in_flight(), 20)) {
    EXPECT_LE(line.size(), 20u) << line;
  }
}

TEST(RenderProgress, AFullBarHasNoArrowHead) {
  ProgressSnapshot snapshot;
  snapshot.layers = {{"ca4f61b", 100, 100, false}};
  EXPECT_EQ(render_progress(snapshot, 200).front(),
            "ca4f61b  [====================]  100 B / 100 B");
}

TEST(RenderSummary, GivesCountBytesTimeAndRate) {
  ProgressSnapshot snapshot = two_layers_in_flight();
  snapshot.done_bytes = 120'000'000;
  snapshot.seconds = 4.0;
  EXPECT_EQ(render_summary(snapshot), "Fetched 8 layers, 120.0 MB in 4.0 s (30.0 MB/s)");
  snapshot.layer_count = 1;
  snapshot.layers.resize(1);
  EXPECT_EQ(render_summary(snapshot), "Fetched 1 layer, 120.0 MB in 4.0 s (30.0 MB/s)");
}

}  // namespace
}  // namespace hocker::cli
