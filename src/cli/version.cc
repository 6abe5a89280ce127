#include "cli/version.h"

namespace hocker::cli {

std::string_view version_line() {
  return "hocker " HOCKER_VERSION " (commit " HOCKER_COMMIT ")";
}

}  // namespace hocker::cli
