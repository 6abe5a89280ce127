// Checked arithmetic on sizes and offsets that come, directly or not, from a registry: an
// overflow is a refused input (Error kFormat), never undefined behaviour.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hocker/base/error.h"

namespace hocker {

/// a + b, or Error(kFormat, "<what>: size arithmetic overflows") when that does not fit.
inline std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw Error(ErrorKind::kFormat, std::string(what) + ": size arithmetic overflows");
  }
  return sum;
}

}  // namespace hocker
