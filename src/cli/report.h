// What the CLI says on stderr besides progress: warnings and the final error line, prefixed
// with the program's name ("hocker-image: error: ...").
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace hocker::cli {

/// Sets the name every message is prefixed with.
void set_program_name(std::string name);
const std::string& program_name();

/// Prints "<program>: warning: <message>" on stderr. Messages (warnings and errors alike) are
/// passed through base's printable_message(): secrets masked, control characters stripped.
void warn(std::string_view message);

/// Where warnings go while a live display owns the bottom of the terminal: it prints them
/// above itself. An empty function restores plain stderr.
using LineWriter = std::function<void(const std::string& line)>;
void set_warning_writer(LineWriter writer);

/// Prints "<program>: <label>: <message>" on stderr, scrubbed as warn() does but never through
/// the warning writer (an informative line after the progress display finished, such as where
/// a pull's blobs came from).
void note(std::string_view label, std::string_view message);

/// Prints "<program>: error: <message>" on stderr.
void print_error(std::string_view message);

}  // namespace hocker::cli
