#include "cli/json_output.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "cli/output.h"
#include "hocker/base/error.h"

namespace hocker::cli {
namespace {

// ordered_json keeps the keys in the order written here, so the output reads top-down.
using Json = nlohmann::ordered_json;

std::string print(const Json& document) {
  return document.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

Json versioned() {
  Json document = Json::object();
  document["schemaVersion"] = kJsonSchemaVersion;
  return document;
}

Json optional_strings(const std::optional<std::vector<std::string>>& values) {
  return values ? Json(*values) : Json(nullptr);
}

Json platform_entries(const std::vector<PlatformEntry>& entries) {
  Json list = Json::array();
  for (const PlatformEntry& entry : entries) {
    Json item = Json::object();
    item["platform"] = entry.platform;
    item["digest"] = entry.digest;
    item["mediaType"] = entry.media_type;
    item["size"] = entry.size;
    item["selected"] = entry.selected;
    list.push_back(std::move(item));
  }
  return list;
}

Json layer_entries(const std::vector<LayerEntry>& layers) {
  Json list = Json::array();
  for (const LayerEntry& layer : layers) {
    Json item = Json::object();
    item["digest"] = layer.digest;
    item["mediaType"] = layer.media_type;
    item["size"] = layer.size;
    list.push_back(std::move(item));
  }
  return list;
}

Json written_image(const WrittenImage& image) {
  Json item = Json::object();
  item["reference"] = image.reference;
  item["manifestDigest"] = image.manifest_digest;
  item["configDigest"] = image.config_digest;
  item["imageId"] = image.config_digest;
  item["platform"] = image.platform;
  item["layers"] = image.layers;
  return item;
}

}  // namespace

DigestResult digest_of_resolved(const ref::Reference& reference, const std::string& platform,
                                const registry::ResolvedImage& resolved) {
  return {reference.string(), resolved.manifest.digest.string(), platform,
          manifest_media_type(resolved), static_cast<std::int64_t>(resolved.manifest.raw.size())};
}

std::string digest_json(const DigestResult& result) {
  Json document = versioned();
  document["reference"] = result.reference;
  document["digest"] = result.digest;
  if (!result.platform.empty()) document["platform"] = result.platform;
  if (result.media_type) document["mediaType"] = *result.media_type;
  if (result.size) document["size"] = *result.size;
  return print(document);
}

std::string tags_json(const std::string& repository, const std::vector<std::string>& tags) {
  Json document = versioned();
  document["repository"] = repository;
  document["tags"] = tags;
  return print(document);
}

std::string inspect_json(const ImageSummary& summary) {
  Json document = versioned();
  document["name"] = summary.name;
  document["digest"] = summary.digest;
  document["mediaType"] = summary.media_type;
  document["platforms"] = platform_entries(summary.platforms);
  document["manifestDigest"] = summary.manifest_digest;
  document["manifestMediaType"] = summary.manifest_media_type;
  document["configDigest"] = summary.config_digest;
  document["created"] = summary.created ? Json(*summary.created) : Json(nullptr);
  document["os"] = summary.os;
  document["architecture"] = summary.architecture;
  document["variant"] = summary.variant;
  document["layers"] = layer_entries(summary.layers);
  document["totalSize"] = summary.total_size;
  document["entrypoint"] = optional_strings(summary.entrypoint);
  document["cmd"] = optional_strings(summary.cmd);
  document["env"] = summary.env;
  document["labels"] = Json(summary.labels);
  return print(document);
}

std::string image_write_json(const ImageWriteSummary& summary) {
  if (summary.images.empty()) throw Error(ErrorKind::kInternal, "no image written to describe");
  Json document = versioned();
  document["output"] = summary.output;
  // The first image's fields stand at the top too, for the common case of one image.
  Json first = written_image(summary.images.front());
  for (const auto& [key, value] : first.items()) document[key] = value;
  document["bytesWritten"] = summary.bytes_written;
  document["format"] = summary.format;
  Json images = Json::array();
  for (const WrittenImage& image : summary.images) images.push_back(written_image(image));
  document["images"] = std::move(images);
  const pull::SourceCounts& sources = summary.sources;
  document["sources"] = {{"mirrorBlobs", sources.mirror_blobs},
                         {"mirrorBytes", sources.mirror_bytes},
                         {"registryBlobs", sources.primary_blobs},
                         {"mirrorMisses", sources.mirror_misses}};
  return print(document);
}

WrittenImage describe_written_image(const ref::Reference& reference,
                                    const registry::ResolvedImage& resolved,
                                    const image::ImageConfig& config) {
  WrittenImage image;
  image.reference = reference.string();
  image.manifest_digest = resolved.manifest.digest.string();
  image.config_digest = resolved.parsed.config().digest.string();
  if (!config.os().empty() || !config.architecture().empty()) {
    image.platform = image::Platform{config.os(), config.architecture(), config.variant()}.string();
  }
  image.layers = resolved.parsed.layers().size();
  return image;
}

ImageWriteSummary describe_image_write(const ref::Reference& reference,
                                       const registry::ResolvedImage& resolved,
                                       const image::ImageConfig& config, const std::string& output,
                                       const std::string& format) {
  WrittenImage image = describe_written_image(reference, resolved, config);
  ImageWriteSummary summary;
  summary.output = output;
  summary.format = format;
  summary.images.push_back(std::move(image));
  return summary;
}

void print_image_write_json(ImageWriteSummary summary) {
  std::error_code error;
  std::uintmax_t size = std::filesystem::file_size(summary.output, error);
  if (error) {
    throw Error(ErrorKind::kLocalIo, summary.output + ": cannot read its size: " + error.message());
  }
  summary.bytes_written = static_cast<std::int64_t>(size);
  write_stdout(image_write_json(summary));
}

}  // namespace hocker::cli
