// The version string every command prints for --version.
#pragma once

#include <string_view>

namespace hocker::cli {

/// "hocker X.Y.Z (commit C)": C is what git describe said at configure time, or "unknown".
std::string_view version_line();

}  // namespace hocker::cli
