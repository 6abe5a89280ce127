// Re-encoding follows the OCI image spec's own mapping of the docker schema 2 types
// (media-types.md, "Compatibility Matrix"): the manifest, config and layer media types are
// renamed, nothing else changes, so the config and layer blobs are referenced as they are.
#include "hocker/archive/oci_encoding.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

using Json = nlohmann::ordered_json;
namespace type = image::media_type;

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kDockerToOci{{
    {type::kDockerManifest, type::kOciManifest},
    {type::kDockerConfig, type::kOciConfig},
    {type::kDockerLayer, type::kOciLayer},
    {type::kDockerLayerGzip, type::kOciLayerGzip},
    {type::kDockerLayerZstd, type::kOciLayerZstd},
    {type::kDockerForeignLayer, type::kOciNondistributableLayer},
    {type::kDockerForeignLayerGzip, type::kOciNondistributableLayerGzip},
}};

Json annotations_json(const std::map<std::string, std::string>& annotations) {
  Json object = Json::object();
  for (const auto& [key, value] : annotations) object[key] = value;  // std::map: sorted.
  return object;
}

Json descriptor_json(const image::Descriptor& descriptor) {
  Json object = Json::object();
  object["mediaType"] = oci_media_type(descriptor.media_type);
  object["digest"] = descriptor.digest.string();
  object["size"] = descriptor.size;
  if (!descriptor.urls.empty()) object["urls"] = descriptor.urls;
  if (!descriptor.annotations.empty()) {
    object["annotations"] = annotations_json(descriptor.annotations);
  }
  return object;
}

// The OCI platform object, its keys in the spec's order.
Json platform_json(const image::Platform& platform) {
  Json object = Json::object();
  object["architecture"] = platform.architecture;
  object["os"] = platform.os;
  if (!platform.variant.empty()) object["variant"] = platform.variant;
  return object;
}

}  // namespace

bool has_docker_media_type(const image::Manifest& manifest) {
  return manifest.media_type() == type::kDockerManifest;
}

std::string oci_media_type(std::string_view media_type) {
  for (auto [docker, oci] : kDockerToOci) {
    if (media_type == docker) return std::string(oci);
  }
  return std::string(media_type);
}

image::Manifest reencode_as_oci(const image::Manifest& manifest) {
  Json document = Json::object();
  document["schemaVersion"] = 2;
  document["mediaType"] = type::kOciManifest;
  document["config"] = descriptor_json(manifest.config());
  Json layers = Json::array();
  for (const image::Descriptor& layer : manifest.layers()) layers.push_back(descriptor_json(layer));
  document["layers"] = std::move(layers);
  return image::Manifest::parse(document.dump());
}

std::string index_json(const std::vector<IndexEntry>& entries) {
  Json manifests = Json::array();
  for (const IndexEntry& entry : entries) {
    Json descriptor = Json::object();
    descriptor["mediaType"] = entry.media_type;
    descriptor["digest"] = entry.digest.string();
    descriptor["size"] = entry.size;
    if (entry.platform) descriptor["platform"] = platform_json(*entry.platform);
    if (!entry.annotations.empty()) {
      descriptor["annotations"] = annotations_json(entry.annotations);
    }
    manifests.push_back(std::move(descriptor));
  }
  Json index = Json::object();
  index["schemaVersion"] = 2;
  index["mediaType"] = type::kOciIndex;
  index["manifests"] = std::move(manifests);
  return index.dump() + "\n";
}

}  // namespace hocker::archive
