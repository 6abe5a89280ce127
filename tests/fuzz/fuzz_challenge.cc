// Fuzzes WWW-Authenticate parsing. parse_challenges never throws: any exception or sanitizer
// report is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hocker/auth/challenge.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  for (const hocker::auth::Challenge& challenge : hocker::auth::parse_challenges(header)) {
    // Schemes and parameter names are promised lowercase.
    for (char c : challenge.scheme) {
      if (c >= 'A' && c <= 'Z') __builtin_trap();
    }
    for (const auto& [key, value] : challenge.params) {
      for (char c : key) {
        if (c >= 'A' && c <= 'Z') __builtin_trap();
      }
    }
  }
  return 0;
}
