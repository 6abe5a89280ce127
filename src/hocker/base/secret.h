// A credential value that never prints itself: streams and formatters see "***".
#pragma once

#include <ostream>
#include <string>
#include <utility>

#include "hocker/base/scrub.h"

namespace hocker {

/// Holds a password or token. Read it with reveal() only where it is put on the wire. The
/// value is registered with the scrubber (base/scrub.h), so no printed text shows it.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) { register_secret(value_); }

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& out, const Secret&) {
  return out << "***";
}

}  // namespace hocker
