#include "cli/report.h"

#include <cstdio>
#include <mutex>

#include "hocker/base/cleanup.h"
#include "hocker/base/scrub.h"

namespace hocker::cli {
namespace {

std::string g_program = "hocker";
std::mutex g_mutex;  // Workers may warn concurrently with the progress display.
LineWriter g_warning_writer;

void print_line(std::string_view level, std::string_view message, bool through_writer) {
  std::lock_guard lock(g_mutex);
  // The one place messages reach stderr: a server's words may echo a secret or carry escapes.
  std::string line = g_program + ": " + std::string(level) + ": " + printable_message(message);
  if (through_writer && g_warning_writer) {
    g_warning_writer(line);
    return;
  }
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void set_program_name(std::string name) {
  set_interrupt_notice(name);
  g_program = std::move(name);
}
const std::string& program_name() {
  return g_program;
}
void warn(std::string_view message) {
  print_line("warning", message, true);
}
void set_warning_writer(LineWriter writer) {
  std::lock_guard lock(g_mutex);
  g_warning_writer = std::move(writer);
}
void note(std::string_view label, std::string_view message) {
  print_line(label, message, false);
}

void print_error(std::string_view message) {
  print_line("error", message, false);
}

}  // namespace hocker::cli
