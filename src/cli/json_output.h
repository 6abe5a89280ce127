// The --json outputs: one JSON object per command, its keys fixed by a versioned schema in
// docs/json/ (every object carries "schemaVersion"). Gathering the facts is the commands' job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/image_summary.h"
#include "hocker/pull/sources.h"

namespace hocker::cli {

/// The version of the schemas in docs/json/ that these functions print.
inline constexpr int kJsonSchemaVersion = 1;

/// What `hocker digest` found.
struct DigestResult {
  std::string reference;  ///< Normalised.
  std::string digest;
  std::string platform;                   ///< The --platform asked for; empty when none.
  std::optional<std::string> media_type;  ///< Known when the manifest itself was fetched.
  std::optional<std::int64_t> size;       ///< Likewise.
};

/// The result for a digest found by resolving `reference` for the --platform `platform`: the
/// chosen manifest's digest, media type and size.
DigestResult digest_of_resolved(const ref::Reference& reference, const std::string& platform,
                                const registry::ResolvedImage& resolved);

/// One image (one platform of it) that `hocker image` put in the archive.
struct WrittenImage {
  std::string reference;        ///< Normalised.
  std::string manifest_digest;  ///< As the registry serves it.
  std::string config_digest;
  std::string platform;  ///< From its configuration; empty when it says none.
  std::size_t layers = 0;
};

/// The facts of one image written from `resolved` with `config`.
WrittenImage describe_written_image(const ref::Reference& reference,
                                    const registry::ResolvedImage& resolved,
                                    const image::ImageConfig& config);

/// What `hocker image` wrote: every image in `images`, the first also in the top-level fields.
struct ImageWriteSummary {
  std::string output;  ///< The archive's path.
  std::int64_t bytes_written = 0;
  std::string format;                ///< "docker" or "oci".
  std::vector<WrittenImage> images;  ///< Every image and platform, in archive order.
  pull::SourceCounts sources;        ///< Where the blobs came from (mirrors, the registry).
};

/// The summary of writing `resolved` with `config` to the archive `output` in `format`, that
/// image alone in `images` (append the others); its bytes_written is left 0 for
/// print_image_write_json.
ImageWriteSummary describe_image_write(const ref::Reference& reference,
                                       const registry::ResolvedImage& resolved,
                                       const image::ImageConfig& config, const std::string& output,
                                       const std::string& format);

/// Prints image_write_json(summary) on stdout, with bytes_written the size of the finished
/// archive. Throws Error(kLocalIo) when the file cannot be examined.
void print_image_write_json(ImageWriteSummary summary);

/// Each returns one pretty-printed JSON object and a newline, matching its schema:
/// docs/json/digest.schema.json, tags.schema.json, inspect.schema.json, image.schema.json.
/// Text that is not valid UTF-8 is printed with U+FFFD in place of the bad bytes.
std::string digest_json(const DigestResult& result);
std::string tags_json(const std::string& repository, const std::vector<std::string>& tags);
std::string inspect_json(const ImageSummary& summary);
/// image_write_json throws Error(kInternal) when `summary.images` is empty.
std::string image_write_json(const ImageWriteSummary& summary);

}  // namespace hocker::cli
