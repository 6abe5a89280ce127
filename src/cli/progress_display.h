// Progress on stderr (docs/spec.md §3.5): the classic one line per layer when stderr is not a
// terminal, a live per-layer display (bytes, rate, ETA) redrawn in place when it is, nothing with
// --quiet.
#pragma once

#include <memory>
#include <string>

#include "hocker/base/progress.h"

namespace hocker::cli {

enum class ProgressStyle { kQuiet, kLines, kLive };

/// kQuiet when `quiet`, kLive when stderr is a smart terminal, kLines otherwise.
ProgressStyle choose_progress_style(bool quiet);

/// A display of the given style writing to stderr. finish() prints the summary (live style).
class ProgressDisplay : public ProgressObserver {
 public:
  /// Called once when all layers are done, to leave a clean final state.
  virtual void finish() {}
};

/// A display of `style`. In the lines style each finished layer prints
/// "<line_label>: <digest> => wrote <digest>", or "<line_label>: <digest> => done" when
/// `reports_written` is false (a copy writes nothing but the blob itself).
std::unique_ptr<ProgressDisplay> make_progress_display(ProgressStyle style,
                                                       std::string line_label = "Downloading layer",
                                                       bool reports_written = true);

}  // namespace hocker::cli
