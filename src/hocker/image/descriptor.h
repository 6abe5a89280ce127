// Content descriptors (OCI image spec, descriptor.md): what a manifest or index says about a
// blob it references. Parsing lives with the documents that contain them (manifest.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hocker/digest/digest.h"
#include "hocker/image/platform.h"

namespace hocker::image {

/// A validated descriptor: the digest is a digest::Digest (safe as a file name), the size is
/// non-negative.
struct Descriptor {
  std::string media_type;
  digest::Digest digest;
  std::int64_t size = 0;
  /// Where a foreign/nondistributable blob may be fetched from, as the document says.
  std::vector<std::string> urls;
  /// Set on index entries that name their platform.
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;

  bool operator==(const Descriptor&) const = default;
};

}  // namespace hocker::image
