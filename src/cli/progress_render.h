// The text of the live progress display (docs/spec.md §3.5), apart from the terminal: one line per
// layer in flight or done, then a total line with bytes, rate and ETA. Pure functions of a
// snapshot, so the display's look is tested without a terminal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hocker::cli {

struct LayerProgress {
  std::string name;  ///< Short digest (7 hex).
  std::int64_t size = 0;
  std::int64_t done = 0;
  bool finished = false;
};

struct ProgressSnapshot {
  std::vector<LayerProgress> layers;  ///< Started layers, in manifest order.
  std::size_t layer_count = 0;        ///< Layers the image will fetch in all.
  std::int64_t total_bytes = 0;       ///< Their compressed size; 0 when unknown.
  std::int64_t done_bytes = 0;
  double seconds = 0;  ///< Since the first layer started.
};

/// "512 B", "1.5 MB", "2.0 GB" (decimal units, as docker prints them).
std::string human_bytes(double bytes);

/// "7s", "1m05s", "2h03m"; "--" when unknown (negative, not finite).
std::string human_duration(double seconds);

/// The display's lines (without newlines), each cut to `width` columns:
///   ca4f61b  [=========>          ]  12.3 MB / 25.0 MB
///   f999ae2  done                    25.0 MB
///   total    37.3 MB / 120.0 MB, 2 of 8 layers, 31.0 MB/s, ETA 3s
std::vector<std::string> render_progress(const ProgressSnapshot& snapshot, int width);

/// The line left when everything is done: "Fetched 8 layers, 120.0 MB in 3.9 s (30.8 MB/s)".
std::string render_summary(const ProgressSnapshot& snapshot);

}  // namespace hocker::cli
