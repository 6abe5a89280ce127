#include "cli/version.h"

#include <string>

#include "hocker/base/version.h"

namespace hocker::cli {

std::string_view version_line() {
  static const std::string line = std::string("hocker ") + kVersion;
  return line;
}

}  // namespace hocker::cli
