// What the docker and OCI layouts share: the checks both refuse on, and docker's manifest.json
// and repositories documents (moby image/tarexport: manifestItem, the legacy repositories file).
#include "hocker/archive/archive_plan.h"

#include <nlohmann/json.hpp>

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

std::optional<std::string> repositories_json(const std::vector<std::string>& repo_tags,
                                             const std::string& top_layer_id) {
  nlohmann::json repositories = nlohmann::json::object();  // Sorted keys: deterministic.
  for (const std::string& repo_tag : repo_tags) {
    std::size_t colon = repo_tag.rfind(':');
    std::size_t slash = repo_tag.rfind('/');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) continue;
    repositories[repo_tag.substr(0, colon)][repo_tag.substr(colon + 1)] = top_layer_id;
  }
  if (repositories.empty() || top_layer_id.empty()) return std::nullopt;
  return repositories.dump() + "\n";
}

std::string docker_manifest_json(const std::string& config,
                                 const std::vector<std::string>& repo_tags,
                                 const std::vector<std::string>& layers) {
  Json item = Json::object();
  item["Config"] = config;
  item["RepoTags"] = repo_tags.empty() ? Json(nullptr) : Json(repo_tags);
  item["Layers"] = layers;
  return Json::array({item}).dump() + "\n";
}

}  // namespace hocker::archive
