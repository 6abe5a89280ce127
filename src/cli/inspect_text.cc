#include "cli/inspect_text.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/progress_render.h"

namespace hocker::cli {
namespace {

constexpr std::size_t kKeyWidth = 13;  // "Media type:" and two spaces.

std::string padded(std::string_view text, std::size_t width) {
  std::string result(text);
  if (result.size() < width) result.append(width - result.size(), ' ');
  return result;
}

// "Key:   value\n", and each further value on its own line under the first.
void add_field(std::string& out, std::string_view key, const std::vector<std::string>& values) {
  std::string label = padded(std::string(key) + ":", kKeyWidth);
  if (values.empty()) {
    out += label + "(none)\n";
    return;
  }
  for (const std::string& value : values) {
    out += label + terminal_safe(value) + "\n";
    label = std::string(kKeyWidth, ' ');
  }
}

void add_field(std::string& out, std::string_view key, const std::string& value) {
  add_field(out, key, std::vector<std::string>{value});
}

std::string size_text(std::int64_t bytes) {
  return human_bytes(static_cast<double>(bytes)) + " (" + std::to_string(bytes) + " bytes)";
}

// Docker's exec form, ["/bin/sh", "-c"]: JSON with every non-ASCII byte escaped.
std::string command_text(const std::optional<std::vector<std::string>>& words) {
  if (!words) return "(none)";
  return nlohmann::json(*words).dump(-1, ' ', /*ensure_ascii=*/true,
                                     nlohmann::json::error_handler_t::replace);
}

std::string platform_text(const ImageSummary& summary) {
  if (summary.os.empty() && summary.architecture.empty()) return "(not stated)";
  std::string text = summary.os + "/" + summary.architecture;
  if (!summary.variant.empty()) text += "/" + summary.variant;
  return text;
}

std::string platform_name(const PlatformEntry& entry) {
  return entry.platform.empty() ? "(no platform)" : entry.platform;
}

std::vector<std::string> platform_rows(const std::vector<PlatformEntry>& entries) {
  std::size_t width = 0;
  for (const PlatformEntry& entry : entries) width = std::max(width, platform_name(entry).size());
  std::vector<std::string> rows;
  for (const PlatformEntry& entry : entries) {
    std::string row = padded(platform_name(entry), width) + "  " + entry.digest;
    if (entry.selected) row += "  (selected)";
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::string> label_lines(const std::map<std::string, std::string>& labels) {
  std::vector<std::string> lines;
  lines.reserve(labels.size());
  for (const auto& [key, value] : labels) lines.push_back(key + "=" + value);
  return lines;
}

void add_layer_table(std::string& out, const std::vector<LayerEntry>& layers) {
  std::vector<std::vector<std::string>> rows = {{"#", "DIGEST", "MEDIA TYPE", "SIZE"}};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    rows.push_back({std::to_string(i + 1), terminal_safe(layers[i].digest),
                    terminal_safe(layers[i].media_type), size_text(layers[i].size)});
  }
  std::vector<std::size_t> widths(4, 0);
  for (const auto& row : rows) {
    for (std::size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t column = 0; column + 1 < row.size(); ++column) {
      line += padded(row[column], widths[column]) + "  ";
    }
    out += line + row.back() + "\n";
  }
}

}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string safe(text);
  for (std::size_t i = 0; i < safe.size(); ++i) {
    auto byte = static_cast<unsigned char>(safe[i]);
    if (byte < 0x20 || byte == 0x7f) safe[i] = '?';
    // U+0080..U+009F (C1 controls, CSI among them) are 0xC2 0x80..0x9F in UTF-8.
    auto next = i + 1 < safe.size() ? static_cast<unsigned char>(safe[i + 1]) : 0;
    if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) safe.replace(i, 2, "?");
  }
  return safe;
}

std::string render_inspect_text(const ImageSummary& summary) {
  std::string out;
  add_field(out, "Name", summary.name);
  add_field(out, "Digest", summary.digest);
  add_field(out, "Media type", summary.media_type);
  if (!summary.platforms.empty()) {
    add_field(out, "Platforms", platform_rows(summary.platforms));
    add_field(out, "Manifest", summary.manifest_digest);
  }
  add_field(out, "Image ID", summary.config_digest);
  add_field(out, "Created", summary.created.value_or("(not stated)"));
  add_field(out, "Platform", platform_text(summary));
  add_field(out, "Entrypoint", command_text(summary.entrypoint));
  add_field(out, "Cmd", command_text(summary.cmd));
  add_field(out, "Env", summary.env);
  add_field(out, "Labels", label_lines(summary.labels));
  add_field(out, "Layers", std::to_string(summary.layers.size()));
  add_field(out, "Total size", size_text(summary.total_size));
  if (summary.layers.empty()) return out;
  out += "\n";
  add_layer_table(out, summary.layers);
  return out;
}

}  // namespace hocker::cli
