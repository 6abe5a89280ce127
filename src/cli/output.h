// Delivering a command's result: to --out atomically (then the path on stdout, as the classic
// tool did) or to stdout.
#pragma once

#include <string>
#include <string_view>

namespace hocker::cli {

/// Writes `data` to `out` via a temporary file and rename, then prints `out` on stdout; with
/// `out` empty writes `data` to stdout. Throws Error(kLocalIo).
void deliver(const std::string& out, std::string_view data);

/// Writes `data` to stdout completely and flushes. Throws Error(kLocalIo).
void write_stdout(std::string_view data);

}  // namespace hocker::cli
