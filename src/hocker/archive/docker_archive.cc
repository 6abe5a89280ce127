// The docker-archive layout, as `docker save` writes it and `docker load` reads it (moby
// image/tarexport): manifest.json, <config-hex>.json, repositories, <diff_id-hex>.tar per layer,
// the layers stored decompressed and named by their diff_id.
#include <set>

#include "hocker/archive/archive_plan.h"

namespace hocker::archive {

ArchivePlan plan_docker_archive(const ImageSource& source) {
  check_layers(source);
  const auto& layers = source.manifest.layers();
  const auto& diff_ids = source.config.diff_ids();
  std::string config_name = source.config.digest().hex() + ".json";

  ArchivePlan plan;
  std::vector<std::string> layer_names;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string name = diff_ids[i].hex() + ".tar";
    layer_names.push_back(name);
    // The same diff_id twice is the same file: fetch and store it once.
    if (!seen.insert(name).second) continue;
    plan.entries.push_back(PlacedEntry{name, -1});
    plan.tasks.push_back(LayerTask{i, layers[i], diff_ids[i]});
  }
  plan.front.push_back(
      {"manifest.json", docker_manifest_json(config_name, source.repo_tags, layer_names)});
  plan.front.push_back({config_name, source.config.raw()});
  std::string top = diff_ids.empty() ? std::string() : diff_ids.back().hex();
  if (auto repositories = repositories_json(source.repo_tags, top)) {
    plan.front.push_back({"repositories", *repositories});
  }
  return plan;
}

}  // namespace hocker::archive
