// manifest.json as docker save, nixpkgs' dockerTools and hocker image write it, and the
// registry manifest built for the blobs that were pushed.
#include "hocker/push/archive_manifest.h"

#include <nlohmann/json.hpp>

#include "hocker/base/document_check.h"
#include "hocker/base/error.h"
#include "hocker/image/media_types.h"
#include "hocker/push/tar_reader.h"

namespace hocker::push {

namespace {

namespace media_type = image::media_type;

[[noreturn]] void refuse(const std::string& why) {
  throw Error(ErrorKind::kFormat, "invalid manifest.json: " + why);
}

std::string member_name(const nlohmann::json& value, const char* field) {
  if (!value.is_string()) refuse(std::string(field) + " is not a string");
  std::string name = value.get<std::string>();
  while (name.starts_with("./")) name.erase(0, 2);
  if (std::string problem = member_name_problem(name); !problem.empty()) {
    refuse(std::string(field) + " '" + name + "': " + problem);
  }
  return name;
}

ArchiveImage parse_entry(const nlohmann::json& entry) {
  if (!entry.is_object()) refuse("an entry is not an object");
  ArchiveImage image;
  if (!entry.contains("Config")) refuse("an entry has no Config");
  image.config = member_name(entry["Config"], "Config");
  const auto& layers = entry.contains("Layers") ? entry["Layers"] : nlohmann::json::array();
  if (!layers.is_array()) refuse("Layers is not an array");
  if (layers.size() > image::kMaxLayers) refuse("too many layers");
  for (const auto& layer : layers) image.layers.push_back(member_name(layer, "Layers"));
  if (entry.contains("RepoTags") && entry["RepoTags"].is_array()) {
    for (const auto& tag : entry["RepoTags"]) {
      if (tag.is_string()) image.repo_tags.push_back(tag.get<std::string>());
    }
  }
  return image;
}

std::string_view layer_type(ManifestFormat format, Compression compression) {
  bool oci = format == ManifestFormat::kOci;
  switch (compression) {
    case Compression::kGzip:
      return oci ? media_type::kOciLayerGzip : media_type::kDockerLayerGzip;
    case Compression::kZstd:
      if (!oci) {
        throw Error(ErrorKind::kUsage,
                    "zstd layers need an OCI manifest: use --format oci (or leave --format out)");
      }
      return media_type::kOciLayerZstd;
    case Compression::kNone:
      break;
  }
  return oci ? media_type::kOciLayer : media_type::kDockerLayer;
}

nlohmann::ordered_json descriptor(std::string_view type, const PushedBlob& blob) {
  nlohmann::ordered_json json;
  json["mediaType"] = type;
  json["size"] = blob.size;
  json["digest"] = blob.digest.string();
  return json;
}

}  // namespace

std::vector<ArchiveImage> parse_archive_manifest(std::string_view raw) {
  check_document(raw, image::kMaxManifestSize, kMaxJsonDepth, "manifest.json");
  nlohmann::json document = nlohmann::json::parse(raw, nullptr, false);
  if (document.is_discarded()) refuse("not JSON");
  if (!document.is_array()) refuse("not an array");
  if (document.empty()) refuse("no image in it");
  std::vector<ArchiveImage> images;
  for (const auto& entry : document) images.push_back(parse_entry(entry));
  return images;
}

BuiltManifest build_manifest(ManifestFormat format, const PushedBlob& config,
                             const std::vector<PushedBlob>& layers) {
  if (format == ManifestFormat::kAuto) {
    format = ManifestFormat::kDocker;
    for (const auto& layer : layers) {
      if (layer.compression == Compression::kZstd) format = ManifestFormat::kOci;
    }
  }
  bool oci = format == ManifestFormat::kOci;
  BuiltManifest built;
  built.media_type = oci ? media_type::kOciManifest : media_type::kDockerManifest;
  nlohmann::ordered_json json;
  json["schemaVersion"] = 2;
  json["mediaType"] = built.media_type;
  json["config"] = descriptor(oci ? media_type::kOciConfig : media_type::kDockerConfig, config);
  json["layers"] = nlohmann::ordered_json::array();
  for (const auto& layer : layers) {
    json["layers"].push_back(descriptor(layer_type(format, layer.compression), layer));
  }
  built.raw = json.dump();
  return built;
}

}  // namespace hocker::push
