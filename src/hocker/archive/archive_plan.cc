// What the docker and OCI layouts share: the checks both refuse on, and docker's manifest.json
// (moby image/tarexport: manifestItem). The legacy `repositories` file is not written: docker
// reads manifest.json since 1.10, and podman, containerd and skopeo never read it.
#include "hocker/archive/archive_plan.h"

#include <nlohmann/json.hpp>
#include <set>

#include "hocker/base/error.h"
#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

using Json = nlohmann::ordered_json;

void check_foreign(const image::Descriptor& layer, bool allowed) {
  if (allowed || (layer.urls.empty() && !image::is_foreign_layer(layer.media_type))) return;
  throw Error(ErrorKind::kFormat,
              "layer " + layer.digest.string() +
                  ": foreign (nondistributable) layer, to be fetched from " +
                  (layer.urls.empty() ? std::string("outside the registry")
                                      : "its external URL " + layer.urls.front()) +
                  "; pass --allow-foreign-layers to fetch it (its license may restrict that)");
}

}  // namespace

void check_layers(const ImageSource& source) {
  const auto& layers = source.manifest.layers();
  const auto& diff_ids = source.config.diff_ids();
  if (layers.size() != diff_ids.size()) {
    throw Error(ErrorKind::kFormat, "image " + source.manifest.digest().string() +
                                        ": the manifest has " + std::to_string(layers.size()) +
                                        " layers but the config lists " +
                                        std::to_string(diff_ids.size()) + " diff_ids");
  }
  if (source.manifest.config().digest != source.config.digest()) {
    throw Error(ErrorKind::kIntegrity, "config " + source.config.digest().string() +
                                           ": the manifest names config " +
                                           source.manifest.config().digest.string());
  }
  for (const auto& layer : layers) check_foreign(layer, source.allow_foreign_layers);
}

std::vector<std::vector<std::string>> distinct_repo_tags(std::span<const ImageSource> images) {
  std::vector<std::vector<std::string>> result;
  std::set<std::string> taken;
  for (const ImageSource& source : images) {
    std::vector<std::string> tags;
    for (const std::string& tag : source.repo_tags) {
      if (taken.insert(tag).second) tags.push_back(tag);
    }
    result.push_back(std::move(tags));
  }
  return result;
}

std::string docker_manifest_json(const std::vector<DockerManifestItem>& items) {
  Json manifest = Json::array();
  for (const DockerManifestItem& entry : items) {
    Json item = Json::object();
    item["Config"] = entry.config;
    item["RepoTags"] = entry.repo_tags.empty() ? Json(nullptr) : Json(entry.repo_tags);
    item["Layers"] = entry.layers;
    manifest.push_back(std::move(item));
  }
  return manifest.dump() + "\n";
}

}  // namespace hocker::archive
