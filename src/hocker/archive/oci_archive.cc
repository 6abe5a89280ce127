// The OCI image layout (OCI image spec, image-layout.md) in one tar, with a docker manifest.json
// beside it so that `docker load` reads it too. Blobs are stored exactly as the registry sent
// them; every size is known, so the whole tar can be laid out before any layer arrives.
#include <nlohmann/json.hpp>
#include <set>

#include "hocker/archive/archive_plan.h"
#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

std::string blob_path(const digest::Digest& digest) {
  return "blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

std::string index_json(const ImageSource& source) {
  using Json = nlohmann::ordered_json;
  const image::Manifest& manifest = source.manifest;
  Json descriptor = Json::object();
  descriptor["mediaType"] = manifest.media_type().empty()
                                ? std::string(image::media_type::kOciManifest)
                                : manifest.media_type();
  descriptor["digest"] = manifest.digest().string();
  descriptor["size"] = manifest.raw().size();
  Json annotations = Json::object();
  if (!source.oci_image_name.empty()) {
    annotations["io.containerd.image.name"] = source.oci_image_name;
  }
  if (!source.oci_ref_name.empty()) {
    annotations["org.opencontainers.image.ref.name"] = source.oci_ref_name;
  }
  if (!annotations.empty()) descriptor["annotations"] = annotations;
  Json index = Json::object();
  index["schemaVersion"] = 2;
  index["mediaType"] = image::media_type::kOciIndex;
  index["manifests"] = Json::array({descriptor});
  return index.dump() + "\n";
}

}  // namespace

ArchivePlan plan_oci_archive(const ImageSource& source) {
  check_layers(source);
  const auto& layers = source.manifest.layers();
  ArchivePlan plan;
  std::set<std::string> algorithms{std::string(source.manifest.digest().algorithm_name()),
                                   std::string(source.config.digest().algorithm_name())};
  std::set<std::string> stored{blob_path(source.manifest.digest()),
                               blob_path(source.config.digest())};
  std::vector<std::string> layer_paths;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string path = blob_path(layers[i].digest);
    layer_paths.push_back(path);
    algorithms.insert(std::string(layers[i].digest.algorithm_name()));
    if (!stored.insert(path).second) continue;
    plan.entries.push_back(PlacedEntry{path, layers[i].size});
    plan.tasks.push_back(LayerTask{i, layers[i], std::nullopt});
  }
  plan.front.push_back({"oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n"});
  plan.front.push_back({"index.json", index_json(source)});
  plan.front.push_back({"manifest.json", docker_manifest_json(blob_path(source.config.digest()),
                                                              source.repo_tags, layer_paths)});
  const auto& diff_ids = source.config.diff_ids();
  std::string top = diff_ids.empty() ? std::string() : diff_ids.back().hex();
  if (auto repositories = repositories_json(source.repo_tags, top)) {
    plan.front.push_back({"repositories", *repositories});
  }
  plan.front.push_back({"blobs/", "", EntryType::kDirectory});
  for (const std::string& algorithm : algorithms) {
    plan.front.push_back({"blobs/" + algorithm + "/", "", EntryType::kDirectory});
  }
  plan.front.push_back({blob_path(source.manifest.digest()), source.manifest.raw()});
  plan.front.push_back({blob_path(source.config.digest()), source.config.raw()});
  return plan;
}

}  // namespace hocker::archive
