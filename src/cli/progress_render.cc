#include "cli/progress_render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hocker::cli {
namespace {

constexpr int kBarWidth = 20;

std::string bar(std::int64_t done, std::int64_t size) {
  int filled = size > 0 ? static_cast<int>(static_cast<double>(std::min(done, size)) /
                                           static_cast<double>(size) * kBarWidth)
                        : 0;
  std::string text = "[" + std::string(static_cast<std::size_t>(filled), '=');
  if (filled < kBarWidth)
    text += ">" + std::string(static_cast<std::size_t>(kBarWidth - filled - 1), ' ');
  return text + "]";
}

std::string fit(std::string line, int width) {
  if (width > 0 && static_cast<int>(line.size()) > width)
    line.resize(static_cast<std::size_t>(width));
  return line;
}

// Bytes per second, once there is enough elapsed time for the figure to mean something.
double rate_of(const ProgressSnapshot& snapshot) {
  if (snapshot.seconds < 0.5 || snapshot.done_bytes <= 0) return 0;
  return static_cast<double>(snapshot.done_bytes) / snapshot.seconds;
}

}  // namespace

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

std::string human_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  auto whole = static_cast<long long>(std::ceil(seconds));
  char buffer[32];
  if (whole < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", whole);
  } else if (whole < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", whole / 3600, whole % 3600 / 60);
  }
  return buffer;
}

std::vector<std::string> render_progress(const ProgressSnapshot& snapshot, int width) {
  std::vector<std::string> lines;
  std::size_t finished = 0;
  for (const LayerProgress& layer : snapshot.layers) {
    if (layer.finished) {
      ++finished;
      continue;
    }
    std::string line = layer.name + "  ";
    if (layer.size > 0) line += bar(layer.done, layer.size) + "  ";
    line += human_bytes(static_cast<double>(layer.done));
    if (layer.size > 0) line += " / " + human_bytes(static_cast<double>(layer.size));
    lines.push_back(fit(line, width));
  }
  std::string total = "total    " + human_bytes(static_cast<double>(snapshot.done_bytes));
  if (snapshot.total_bytes > 0)
    total += " / " + human_bytes(static_cast<double>(snapshot.total_bytes));
  total += ", " + std::to_string(finished) + " of " +
           std::to_string(std::max(snapshot.layer_count, snapshot.layers.size())) + " layers";
  double rate = rate_of(snapshot);
  if (rate > 0) {
    total += ", " + human_bytes(rate) + "/s";
    if (snapshot.total_bytes > 0) {
      double left = static_cast<double>(
          std::max<std::int64_t>(snapshot.total_bytes - snapshot.done_bytes, 0));
      total += ", ETA " + human_duration(left / rate);
    }
  }
  lines.push_back(fit(total, width));
  return lines;
}

std::string render_summary(const ProgressSnapshot& snapshot) {
  std::size_t count = std::max(snapshot.layer_count, snapshot.layers.size());
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", snapshot.seconds);
  std::string line = "Fetched " + std::to_string(count) + (count == 1 ? " layer, " : " layers, ") +
                     human_bytes(static_cast<double>(snapshot.done_bytes)) + " in " + seconds;
  if (snapshot.seconds > 0 && snapshot.done_bytes > 0) {
    line += " (" + human_bytes(static_cast<double>(snapshot.done_bytes) / snapshot.seconds) + "/s)";
  }
  return line;
}

}  // namespace hocker::cli
