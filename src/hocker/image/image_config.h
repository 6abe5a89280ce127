// The image configuration (docker image spec v1, OCI config): its exact bytes plus the parts
// hocker needs, rootfs.diff_ids and the platform. Included by manifest.h.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "hocker/digest/digest.h"

namespace hocker::image {

class ImageConfig {
 public:
  /// Parses and validates: a JSON object of at most kMaxConfigSize bytes, nested at most 64
  /// levels, whose rootfs.type is "layers" and whose rootfs.diff_ids are valid digests (at most
  /// kMaxLayers; missing or null means none). Throws Error(kFormat) with a one-line reason.
  static ImageConfig parse(std::string raw);

  /// The exact bytes given to parse().
  const std::string& raw() const { return raw_; }
  /// sha256 of raw().
  digest::Digest digest() const { return digest_; }
  const std::vector<digest::Digest>& diff_ids() const { return diff_ids_; }
  /// The config's os, architecture and variant fields; empty when absent.
  std::string os() const { return os_; }
  std::string architecture() const { return architecture_; }
  std::string variant() const { return variant_; }

 private:
  ImageConfig(std::string raw, digest::Digest digest)
      : raw_(std::move(raw)), digest_(std::move(digest)) {}

  std::string raw_;
  digest::Digest digest_;
  std::vector<digest::Digest> diff_ids_;
  std::string os_, architecture_, variant_;
};

}  // namespace hocker::image
