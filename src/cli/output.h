// Delivering a command's result: to --out atomically (then the path on stdout, as the classic
// tool did) or to stdout.
#pragma once

#include <string>
#include <string_view>

namespace hocker {
class AtomicFile;
}  // namespace hocker

namespace hocker::cli {

/// Writes `data` to `out` via a temporary file and rename, then prints `out` on stdout; with
/// `out` empty writes `data` to stdout. A device or FIFO `out` is written through (see
/// AtomicFile) and not printed. Throws Error(kLocalIo).
void deliver(const std::string& out, std::string_view data);

/// Prints the path of the committed `file` on stdout, as the classic tool did, unless it was
/// written through: /dev/stdout, for one, would receive its own name after the data.
void announce_output(const AtomicFile& file);

/// Writes `data` to stdout completely and flushes. Throws Error(kLocalIo).
void write_stdout(std::string_view data);

}  // namespace hocker::cli
