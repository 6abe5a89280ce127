// Small resolved images for the summary and output tests: a config, an OCI manifest naming it
// and two layers, and optionally an OCI index whose second entry was chosen.
#pragma once

#include <string>
#include <utility>

#include "hocker/digest/digest.h"
#include "hocker/registry/resolve.h"

namespace hocker::cli::testing {

inline constexpr const char* kConfigWithEverything =
    R"({"created":"2024-05-01T12:00:00Z","os":"linux","architecture":"arm64","variant":"v8",)"
    R"("config":{"Entrypoint":["/app","--serve"],"Cmd":["8080"],"Env":["PATH=/bin","MODE=prod"],)"
    R"("Labels":{"b":"two","a":"1"}},"rootfs":{"type":"layers","diff_ids":[]}})";

inline std::string descriptor(const std::string& media_type, const digest::Digest& digest,
                              std::int64_t size, const std::string& extra = "") {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + digest.string() + R"(","size":)" +
         std::to_string(size) + extra + "}";
}

/// The image `config_raw` describes, as resolve_image would return it; with `from_index`, the
/// arm64 entry of a two-entry OCI index.
inline std::pair<registry::ResolvedImage, image::ImageConfig> resolved_image(
    const std::string& config_raw, bool from_index) {
  image::ImageConfig config = image::ImageConfig::parse(config_raw);
  std::string manifest_raw =
      R"({"schemaVersion":2,"config":)" +
      descriptor("application/vnd.oci.image.config.v1+json", digest::sha256(config_raw),
                 static_cast<std::int64_t>(config_raw.size())) +
      R"(,"layers":[)" +
      descriptor("application/vnd.oci.image.layer.v1.tar+gzip", digest::sha256("one"), 100) + "," +
      descriptor("application/vnd.oci.image.layer.v1.tar+zstd", digest::sha256("two"), 2000) + "]}";
  registry::FetchedManifest manifest{manifest_raw,
                                     "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
                                     digest::sha256(manifest_raw)};
  registry::ResolvedImage resolved{std::nullopt, manifest, image::Manifest::parse(manifest_raw)};
  if (!from_index) return {std::move(resolved), std::move(config)};
  std::string index_raw =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
      descriptor("application/vnd.oci.image.manifest.v1+json", digest::sha256("amd64"), 500,
                 R"(,"platform":{"os":"linux","architecture":"amd64"})") +
      "," +
      descriptor("application/vnd.oci.image.manifest.v1+json", manifest.digest,
                 static_cast<std::int64_t>(manifest_raw.size()),
                 R"(,"platform":{"os":"linux","architecture":"arm64","variant":"v8"})") +
      "]}";
  resolved.index = registry::FetchedManifest{index_raw, "application/vnd.oci.image.index.v1+json",
                                             digest::sha256(index_raw)};
  return {std::move(resolved), std::move(config)};
}

}  // namespace hocker::cli::testing
