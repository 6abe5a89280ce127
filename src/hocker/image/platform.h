// Platforms (os/architecture/variant) as docker and containerd name, normalise and match them
// when choosing an entry of a manifest list or OCI index.
#pragma once

#include <string>
#include <string_view>

namespace hocker::image {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;

  /// Parses "os/arch[/variant]" (e.g. "linux/arm64/v8"): two or three non-empty components
  /// of letters, digits, '.', '_' and '-', not starting with '.' or '-'. Kept as written; see
  /// normalized(). Throws Error(kUsage) otherwise.
  static Platform parse(std::string_view text);
  /// The host's platform as docker picks it: linux, with the uname machine mapped (x86_64 →
  /// amd64, aarch64 → arm64/v8, armv7l → arm/v7, armv6l → arm/v6, i686 → 386, ...).
  static Platform host();
  /// Canonical form, after containerd's normalisation: lowercase; aliases mapped (x86_64 →
  /// amd64, aarch64 → arm64, armhf → arm/v7, armel → arm/v6, i386 → 386); arm64 gets variant
  /// v8 and arm v7 when empty; amd64/v1 is amd64; numeric variants get their "v".
  Platform normalized() const;
  /// Whether an index entry with this platform satisfies `wanted`: equal once both are
  /// normalised (so arm64 matches arm64/v8, and an entry without variant matches a request
  /// without one).
  bool matches(const Platform& wanted) const;
  /// "linux/arm64/v8", "linux/amd64".
  std::string string() const;

  bool operator==(const Platform&) const = default;
};

}  // namespace hocker::image
