// The version string every command prints for --version.
#pragma once

#include <string_view>

namespace hocker::cli {

/// "hocker X.Y.Z".
std::string_view version_line();

}  // namespace hocker::cli
