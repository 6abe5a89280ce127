#include "cli/progress_display.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cli/progress_render.h"
#include "cli/report.h"
#include "hocker/base/terminal.h"

namespace hocker::cli {
namespace {

using Clock = std::chrono::steady_clock;

void write_stderr(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::string short_hex(const std::string& digest) {
  auto colon = digest.find(':');
  std::string hex = colon == std::string::npos ? digest : digest.substr(colon + 1);
  return hex.substr(0, 7);
}

class QuietDisplay final : public ProgressDisplay {};

// The classic log form, one line per finished layer:
//   Downloading layer: ca4f61b => decompressed => wrote f999ae2
class LineDisplay final : public ProgressDisplay {
 public:
  LineDisplay(std::string label, bool reports_written)
      : label_(std::move(label)), reports_written_(reports_written) {}
  void layer_started(std::size_t index, const std::string& digest, std::int64_t) override {
    std::lock_guard lock(mutex_);
    digests_[index] = digest;
  }
  void layer_finished(std::size_t index, const std::string& written, bool decompressed) override {
    std::lock_guard lock(mutex_);
    std::string line = label_ + ": " + short_hex(digests_[index]) +
                       (decompressed ? " => decompressed" : "") +
                       (reports_written_ ? " => wrote " + short_hex(written) : " => done") + "\n";
    write_stderr(line);
  }

 private:
  const std::string label_;
  const bool reports_written_;
  std::mutex mutex_;
  std::map<std::size_t, std::string> digests_;
};

// The bottom of the terminal holds a block (one line per layer in flight, then the total with
// rate and ETA) redrawn in place at most ten times a second: cursor up, each line rewritten
// and cleared to its end, the rest of the screen cleared; no full clears, so no flicker.
// Finished layers and warnings are printed above the block and scroll away with the log.
class LiveDisplay final : public ProgressDisplay {
 public:
  LiveDisplay() {
    set_warning_writer([this](const std::string& line) {
      std::lock_guard lock(mutex_);
      print_above(line);
    });
  }
  ~LiveDisplay() override { set_warning_writer({}); }

  void image_started(std::size_t layers, std::int64_t total_bytes) override {
    std::lock_guard lock(mutex_);
    snapshot_.layer_count = layers;
    snapshot_.total_bytes = total_bytes;
    start_ = Clock::now();
    redraw(/*force=*/true);
  }
  void layer_started(std::size_t index, const std::string& digest, std::int64_t size) override {
    std::lock_guard lock(mutex_);
    layers_[index] = LayerProgress{short_hex(digest), size, 0, false};
    redraw(/*force=*/true);
  }
  void layer_progress(std::size_t index, std::int64_t bytes) override {
    std::lock_guard lock(mutex_);
    layers_[index].done += bytes;
    snapshot_.done_bytes += bytes;
    redraw(/*force=*/false);
  }
  void layer_finished(std::size_t index, const std::string&, bool) override {
    std::lock_guard lock(mutex_);
    LayerProgress& layer = layers_[index];
    layer.finished = true;
    print_above(layer.name + "  done  " + human_bytes(static_cast<double>(layer.size)));
  }
  void finish() override {
    std::lock_guard lock(mutex_);
    std::string frame = cursor_to_block_top() + "\x1b[J";
    write_stderr(frame + render_summary(snapshot_at(Clock::now())) + "\n");
    drawn_lines_ = 0;
  }

 private:
  ProgressSnapshot snapshot_at(Clock::time_point now) {
    snapshot_.layers.clear();
    for (const auto& entry : layers_) snapshot_.layers.push_back(entry.second);
    snapshot_.seconds = std::chrono::duration<double>(now - start_).count();
    return snapshot_;
  }

  std::string cursor_to_block_top() const {
    if (drawn_lines_ == 0) return "\r";
    return "\x1b[" + std::to_string(drawn_lines_) + "A\r";
  }

  // The block's lines, each cleared to its end, and whatever the block held before cleared.
  std::string block(Clock::time_point now) {
    std::vector<std::string> lines =
        render_progress(snapshot_at(now), terminal_width(STDERR_FILENO) - 1);
    std::string text;
    for (const std::string& line : lines) text += line + "\x1b[K\n";
    drawn_lines_ = lines.size();
    return text + "\x1b[J";
  }

  void print_above(const std::string& line) {
    auto now = Clock::now();
    last_draw_ = now;
    std::string top = cursor_to_block_top();
    write_stderr(top + line + "\x1b[K\n" + block(now));
  }

  void redraw(bool force) {
    auto now = Clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    std::string top = cursor_to_block_top();
    write_stderr(top + block(now));
  }

  std::mutex mutex_;
  std::map<std::size_t, LayerProgress> layers_;
  ProgressSnapshot snapshot_;
  std::size_t drawn_lines_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace

ProgressStyle choose_progress_style(bool quiet) {
  if (quiet) return ProgressStyle::kQuiet;
  return is_smart_terminal(STDERR_FILENO) ? ProgressStyle::kLive : ProgressStyle::kLines;
}

std::unique_ptr<ProgressDisplay> make_progress_display(ProgressStyle style, std::string line_label,
                                                       bool reports_written) {
  switch (style) {
    case ProgressStyle::kQuiet:
      return std::make_unique<QuietDisplay>();
    case ProgressStyle::kLines:
      return std::make_unique<LineDisplay>(std::move(line_label), reports_written);
    case ProgressStyle::kLive:
      return std::make_unique<LiveDisplay>();
  }
  return std::make_unique<QuietDisplay>();
}

}  // namespace hocker::cli
