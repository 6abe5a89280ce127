// Helpers for the nix module's tests: the test data paths, files, and running Nix's own tools
// (skipped when they are not installed). Header-only so that it stays out of the library.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hocker::nix::testing {

/// tests/data/nix.
inline std::filesystem::path golden_dir() {
  return std::filesystem::path(HOCKER_TEST_DATA) / "nix";
}

/// tests/integration/nix.
inline std::filesystem::path integration_dir() {
  return std::filesystem::path(HOCKER_TEST_DATA).parent_path() / "integration" / "nix";
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Writes `text` to a fresh file under the temporary directory and returns its path.
inline std::filesystem::path write_temp_file(const std::string& text, const std::string& suffix) {
  static int counter = 0;
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("hocker_nix_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + suffix);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

/// Whether `program` is an executable on PATH.
inline bool has_program(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

struct CommandResult {
  int status = -1;     ///< the exit status, or -1 when the command did not exit normally
  std::string output;  ///< what it wrote on stdout
};

/// Runs `command` through /bin/sh and collects its stdout. Callers quote their arguments.
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), count);
  }
  int status = ::pclose(pipe);
  if (WIFEXITED(status)) result.status = WEXITSTATUS(status);
  return result;
}

/// `'text'` for /bin/sh.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Flags that let nix-build run as root without a daemon, build users or a binary cache.
inline constexpr const char* kNixBuildOptions =
    "--option sandbox false --option build-users-group '' --option substituters ''";

}  // namespace hocker::nix::testing
