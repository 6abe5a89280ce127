#include "cli/progress_display.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

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

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) {
    bytes /= 1000;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buffer;
}

class QuietDisplay final : public ProgressDisplay {};

// The classic log form, one line per finished layer:
//   Downloading layer: ca4f61b => decompressed => wrote f999ae2
class LineDisplay final : public ProgressDisplay {
 public:
  void layer_started(std::size_t index, const std::string& digest, std::int64_t) override {
    std::lock_guard lock(mutex_);
    digests_[index] = digest;
  }
  void layer_finished(std::size_t index, const std::string& written, bool decompressed) override {
    std::lock_guard lock(mutex_);
    std::string line = "Downloading layer: " + short_hex(digests_[index]) +
                       (decompressed ? " => decompressed" : "") + " => wrote " +
                       short_hex(written) + "\n";
    write_stderr(line);
  }

 private:
  std::mutex mutex_;
  std::map<std::size_t, std::string> digests_;
};

// A block of one line per layer, redrawn in place (cursor up, clear line) at most ten times a
// second, so that a fast download does not flood the terminal.
class LiveDisplay final : public ProgressDisplay {
 public:
  void layer_started(std::size_t index, const std::string& digest, std::int64_t size) override {
    std::lock_guard lock(mutex_);
    layers_[index] = Layer{short_hex(digest), size, 0, false};
    redraw(/*force=*/true);
  }
  void layer_progress(std::size_t index, std::int64_t bytes) override {
    std::lock_guard lock(mutex_);
    layers_[index].done += bytes;
    total_done_ += bytes;
    redraw(/*force=*/false);
  }
  void layer_finished(std::size_t index, const std::string&, bool) override {
    std::lock_guard lock(mutex_);
    layers_[index].finished = true;
    redraw(/*force=*/true);
  }
  void finish() override {
    std::lock_guard lock(mutex_);
    redraw(/*force=*/true);
    double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    write_stderr("Fetched " + std::to_string(layers_.size()) + " layers, " +
                 human_bytes(static_cast<double>(total_done_)) + " in " +
                 std::to_string(static_cast<int>(seconds * 10) / 10.0).substr(0, 4) + " s\n");
  }

 private:
  struct Layer {
    std::string name;
    std::int64_t size = 0;
    std::int64_t done = 0;
    bool finished = false;
  };

  std::string line_for(const Layer& layer, double seconds) const {
    if (layer.finished) return layer.name + ": done, " + human_bytes(layer.size);
    double rate = seconds > 0 ? static_cast<double>(total_done_) / seconds : 0;
    std::string line = layer.name + ": " + human_bytes(static_cast<double>(layer.done)) + " / " +
                       human_bytes(static_cast<double>(layer.size));
    if (rate > 0 && layer.size > layer.done) {
      line += ", total " + human_bytes(rate) + "/s";
    }
    return line;
  }

  void redraw(bool force) {
    auto now = Clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    int width = terminal_width(STDERR_FILENO) - 1;
    std::string frame;
    if (drawn_lines_ > 0) frame += "\x1b[" + std::to_string(drawn_lines_) + "A";
    for (const auto& [index, layer] : layers_) {
      std::string line = line_for(layer, seconds);
      if (static_cast<int>(line.size()) > width) line.resize(static_cast<std::size_t>(width));
      frame += "\r" + line + "\x1b[K\n";
    }
    drawn_lines_ = layers_.size();
    write_stderr(frame);
  }

  std::mutex mutex_;
  std::map<std::size_t, Layer> layers_;
  std::int64_t total_done_ = 0;
  std::size_t drawn_lines_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace

ProgressStyle choose_progress_style(bool quiet) {
  if (quiet) return ProgressStyle::kQuiet;
  return is_smart_terminal(STDERR_FILENO) ? ProgressStyle::kLive : ProgressStyle::kLines;
}

std::unique_ptr<ProgressDisplay> make_progress_display(ProgressStyle style) {
  switch (style) {
    case ProgressStyle::kQuiet:
      return std::make_unique<QuietDisplay>();
    case ProgressStyle::kLines:
      return std::make_unique<LineDisplay>();
    case ProgressStyle::kLive:
      return std::make_unique<LiveDisplay>();
  }
  return std::make_unique<QuietDisplay>();
}

}  // namespace hocker::cli
