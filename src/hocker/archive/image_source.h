// What an archive is made from: an image's manifest, config and names, and where its blobs
// come from. The vocabulary shared by the archive writer, its plans and whoever fetches.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

/// Bytes [offset, offset + length) of one blob as the registry stores it, from a small ranged
/// request; nothing when they cannot be had cheaply (a server ignoring Range is not waited
/// for). Only a hint for planning: nothing read here is trusted. Called concurrently.
using BlobRangeReader = std::function<std::optional<std::string>(
    const image::Descriptor& blob, std::int64_t offset, std::int64_t length)>;

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
  /// The platform named on the image's index.json entry; unset = the config's os, architecture
  /// and variant (no platform when the config states no os or architecture).
  std::optional<image::Platform> platform = std::nullopt;
  /// Set on every platform of an image taken whole from its index (each platform it lists):
  /// with ManifestDigests::kPreserve the OCI layout stores this index as it is, and one
  /// index.json entry names it for all of them.
  std::shared_ptr<const image::Index> whole_index = nullptr;
  /// Set when small ranged reads of registry blobs are possible: the docker format then reads
  /// each layer's decompressed size ahead (layer_size.h) to write every layer in place.
  BlobRangeReader read_range = nullptr;
};

/// What an OCI archive does with an image manifest served with docker media types.
enum class ManifestDigests {
  kReencode,  ///< Re-encode it with OCI media types (a new digest): strict OCI (default).
  kPreserve,  ///< Store the registry's bytes as they are (--preserve-digests).
};

}  // namespace hocker::archive
