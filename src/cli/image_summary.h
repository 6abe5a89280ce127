// What `hocker inspect` says about an image, gathered from its manifests and configuration
// only (no layer is fetched). Printing it is left to inspect_text.h and json_output.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hocker/image/platform.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/resolve.h"

namespace hocker::cli {

/// One entry of a manifest list / OCI index.
struct PlatformEntry {
  std::string platform;  ///< "linux/arm64/v8"; empty when the entry names none.
  std::string digest;
  std::string media_type;
  std::int64_t size = 0;
  bool selected = false;  ///< The entry the platform asked for (or the host's) chose.
};

/// One layer as the image manifest describes it.
struct LayerEntry {
  std::string digest;
  std::string media_type;
  std::int64_t size = 0;  ///< As stored in the registry (compressed for gzip/zstd layers).
};

/// An image, as its manifests and configuration describe it. Text from the configuration is
/// kept as the image has it: printers escape it.
struct ImageSummary {
  std::string name;        ///< The reference, normalised (Reference::string()).
  std::string digest;      ///< Digest of the document the reference names (index or manifest).
  std::string media_type;  ///< Its media type.
  std::vector<PlatformEntry> platforms;  ///< The index's entries; empty for a single image.
  std::string manifest_digest;           ///< The image manifest chosen (== digest without index).
  std::string manifest_media_type;
  std::string config_digest;  ///< The image ID.
  std::optional<std::string> created;
  std::string os, architecture, variant;  ///< From the configuration; empty when absent.
  std::vector<LayerEntry> layers;
  std::int64_t total_size = 0;                         ///< Sum of the layer sizes.
  std::optional<std::vector<std::string>> entrypoint;  ///< Absent when the config sets none.
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;
  std::map<std::string, std::string> labels;
};

/// The media type of the image manifest chosen: its mediaType field, else the Content-Type
/// the registry sent, else the OCI manifest type (OCI manifests may omit the field).
std::string manifest_media_type(const registry::ResolvedImage& resolved);

/// Builds the summary of `resolved` (as resolve_image returned it) with its configuration.
/// The configuration's created, Entrypoint, Cmd, Env and Labels are read leniently: a field
/// of an unexpected type counts as absent (the configuration was validated when parsed).
ImageSummary summarize_image(const ref::Reference& reference,
                             const registry::ResolvedImage& resolved,
                             const image::ImageConfig& config);

}  // namespace hocker::cli
