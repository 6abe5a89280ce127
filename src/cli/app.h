// The command-line entry point: dispatch, parsing, and turning every failure into one line
// on stderr plus the exit code of docs/spec.md §4.1.
#pragma once

#include <string>
#include <vector>

namespace hocker::cli {

/// Runs hocker as invoked with `argv0` (its program name picks a classic command) and
/// `arguments` (without argv[0]). Returns the process exit code; never throws.
int run(const std::string& argv0, const std::vector<std::string>& arguments);

/// What `hocker` itself is, as its --help and man page say it.
std::string hocker_description();

}  // namespace hocker::cli
