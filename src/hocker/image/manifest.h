// Image manifests (docker schema 2, OCI) and indexes (docker manifest list, OCI index): the
// exact bytes beside a validated view, never re-serialised; classification of raw documents.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hocker/digest/digest.h"
#include "hocker/image/descriptor.h"
#include "hocker/image/image_config.h"
#include "hocker/image/media_types.h"
#include "hocker/image/platform.h"

namespace hocker::image {

enum class DocumentKind { kImageManifest, kIndex };

/// Decides what raw manifest bytes are: from their mediaType field, else the Content-Type the
/// registry sent (may be empty; parameters ignored), else their shape (an OCI document may omit
/// mediaType). Throws Error(kFormat): for schema 1 ("the manifest is a Docker schema 1
/// manifest, which hocker does not support (deprecated since 2017); push the image again with
/// a current client"), for other media types, and for malformed, oversized or too deeply
/// nested documents.
DocumentKind classify(std::string_view raw, std::string_view content_type);

/// An image manifest (docker schema 2 or OCI).
class Manifest {
 public:
  /// Parses and validates: at most kMaxManifestSize bytes, nested at most 64 levels, a JSON
  /// object, schemaVersion 2, mediaType absent or an image manifest type, a config descriptor
  /// and a layers array (at most kMaxLayers) of descriptors with media types, valid digests
  /// and non-negative sizes. Throws Error(kFormat) with a one-line reason.
  static Manifest parse(std::string raw);

  /// The exact bytes given to parse().
  const std::string& raw() const { return raw_; }
  /// sha256 of raw().
  digest::Digest digest() const { return digest_; }
  /// The mediaType field; may be empty for OCI.
  const std::string& media_type() const { return media_type_; }
  const Descriptor& config() const { return config_; }
  const std::vector<Descriptor>& layers() const { return layers_; }

 private:
  Manifest(std::string raw, digest::Digest digest, Descriptor config)
      : raw_(std::move(raw)), digest_(std::move(digest)), config_(std::move(config)) {}

  std::string raw_;
  digest::Digest digest_;
  std::string media_type_;
  Descriptor config_;
  std::vector<Descriptor> layers_;
};

/// A docker manifest list or OCI index.
class Index {
 public:
  /// Like Manifest::parse() for indexes: schemaVersion 2, mediaType absent or an index type,
  /// a manifests array (at most kMaxLayers entries) of descriptors. Throws Error(kFormat).
  static Index parse(std::string raw);

  const std::string& raw() const { return raw_; }
  digest::Digest digest() const { return digest_; }
  const std::string& media_type() const { return media_type_; }
  const std::vector<Descriptor>& manifests() const { return manifests_; }

  /// The first entry whose platform matches `wanted` (Platform::matches); failing that, for
  /// arm, the closest older variant (arm/v7 runs v6 and v5 images, as containerd allows).
  /// Entries without a platform, or with os or architecture "unknown" (attestations), are
  /// ignored. None → Error(kNotFound, "no manifest for platform linux/s390x; available:
  /// linux/amd64, linux/arm64/v8, linux/arm/v7").
  const Descriptor& select(const Platform& wanted) const;
  /// The platforms of the entries select() considers, in document order, without duplicates.
  std::vector<Platform> platforms() const;

 private:
  Index(std::string raw, digest::Digest digest)
      : raw_(std::move(raw)), digest_(std::move(digest)) {}

  std::string raw_;
  digest::Digest digest_;
  std::string media_type_;
  std::vector<Descriptor> manifests_;
};

}  // namespace hocker::image
