// What an archive is made from: an image's manifest, config and names, and where its blobs
// come from. The vocabulary shared by the archive writer, its plans and whoever fetches.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hocker/base/byte_sink.h"
#include "hocker/image/descriptor.h"
#include "hocker/image/image_config.h"
#include "hocker/image/manifest.h"

namespace hocker::archive {

/// Streams one blob's bytes exactly as the registry stores them (compressed) into `sink`,
/// calling sink.write() any number of times and never finish(). Retrying and resuming are the
/// callee's business: the sink sees each byte once, in order. Throws hocker::Error on failure.
/// Called from worker threads, concurrently for different blobs.
using BlobFetcher = std::function<void(const image::Descriptor& blob, ByteSink& sink)>;

/// What to put in the archive.
struct ImageSource {
  image::Manifest manifest;            ///< Its exact bytes go into an OCI archive.
  image::ImageConfig config;           ///< Already verified by the caller; exact bytes are kept.
  std::vector<std::string> repo_tags;  ///< Names for docker load, e.g. {"debian:jessie"}.
  std::string oci_ref_name;            ///< index.json: org.opencontainers.image.ref.name (the tag).
  std::string oci_image_name;          ///< index.json: io.containerd.image.name (the full name).
  BlobFetcher fetch;
  /// Whether `fetch` may be handed foreign (nondistributable) layers, which live at their
  /// descriptor's urls (--allow-foreign-layers); else such layers are refused up front.
  bool allow_foreign_layers = false;
};

}  // namespace hocker::archive
