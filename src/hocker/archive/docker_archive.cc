// The docker-archive layout, as `docker save` writes it and `docker load` reads it (moby
// image/tarexport): manifest.json with one entry per image, <config-hex>.json per image,
// <diff_id-hex>.tar per distinct layer, the layers stored decompressed and named by their
// diff_id. A layer shared by several images of a bundle is one file, fetched once.
#include <set>

#include "hocker/archive/archive_plan.h"

namespace hocker::archive {

ArchivePlan plan_docker_archive(std::span<const ImageSource> images) {
  for (const ImageSource& source : images) check_layers(source);
  std::vector<std::vector<std::string>> tags = distinct_repo_tags(images);
  ArchivePlan plan;
  std::vector<DockerManifestItem> items;
  std::vector<FrontEntry> configs;
  std::set<std::string> seen;
  for (std::size_t s = 0; s < images.size(); ++s) {
    const ImageSource& source = images[s];
    const auto& layers = source.manifest.layers();
    const auto& diff_ids = source.config.diff_ids();
    DockerManifestItem item{source.config.digest().hex() + ".json", tags[s], {}};
    if (seen.insert(item.config).second) configs.push_back({item.config, source.config.raw()});
    for (std::size_t i = 0; i < layers.size(); ++i) {
      std::string name = diff_ids[i].hex() + ".tar";
      item.layers.push_back(name);
      // The same diff_id twice is the same file: fetch and store it once.
      if (!seen.insert(name).second) continue;
      plan.entries.push_back(PlacedEntry{name, -1});
      plan.tasks.push_back(LayerTask{plan.tasks.size(), layers[i], diff_ids[i], s});
    }
    items.push_back(std::move(item));
  }
  plan.front.push_back({"manifest.json", docker_manifest_json(items)});
  for (FrontEntry& config : configs) plan.front.push_back(std::move(config));
  return plan;
}

}  // namespace hocker::archive
