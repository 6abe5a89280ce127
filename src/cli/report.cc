#include "cli/report.h"

#include <cstdio>
#include <mutex>

namespace hocker::cli {
namespace {

std::string g_program = "hocker";
std::mutex g_mutex;  // Workers may warn concurrently with the progress display.

void print_line(std::string_view level, std::string_view message) {
  std::lock_guard lock(g_mutex);
  std::string line = g_program + ": " + std::string(level) + ": " + std::string(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void set_program_name(std::string name) {
  g_program = std::move(name);
}
const std::string& program_name() {
  return g_program;
}
void warn(std::string_view message) {
  print_line("warning", message);
}
void print_error(std::string_view message) {
  print_line("error", message);
}

}  // namespace hocker::cli
