#include "cli/version.h"

#include <string>

#include "hocker/base/version.h"

namespace hocker::cli {

std::string_view version_line() {
  static const std::string line = std::string("hocker ") + kVersion + " (commit " HOCKER_COMMIT ")";
  return line;
}

}  // namespace hocker::cli
