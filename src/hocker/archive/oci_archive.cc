// The OCI image layout (OCI image spec, image-layout.md) in one tar, with a docker manifest.json
// beside it so that `docker load` reads it too. Config and layer blobs are stored exactly as
// the registry sent them; an image manifest with docker media types is re-encoded with OCI ones
// (oci_encoding.h) unless its digest is to be preserved. Every size is known, so the whole tar
// can be laid out before any layer arrives.
#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "hocker/archive/archive_plan.h"
#include "hocker/archive/oci_encoding.h"
#include "hocker/base/error.h"
#include "hocker/digest/digest.h"
#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

std::string blob_path(const digest::Digest& digest) {
  return "blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

// The layout being planned: documents and layers, each blob once.
struct OciLayout {
  ArchivePlan plan;
  std::vector<FrontEntry> documents;
  std::set<std::string> stored;
  std::set<std::string> algorithms;
  std::vector<IndexEntry> index;
  std::vector<DockerManifestItem> items;
  std::set<const image::Index*> listed;  // Whole indexes already named in index.json.
  // The platforms of each image taken by platform (not as a preserved index), by image name,
  // in the order first seen: one nested index each when there are several (index_image()).
  std::vector<std::pair<std::string, std::vector<std::size_t>>> platforms;

  void add_document(const digest::Digest& digest, const std::string& content) {
    algorithms.insert(std::string(digest.algorithm_name()));
    if (stored.insert(blob_path(digest)).second) documents.push_back({blob_path(digest), content});
  }
};

std::optional<image::Platform> platform_of(const ImageSource& source) {
  if (source.platform) return source.platform;
  const image::ImageConfig& config = source.config;
  if (config.os().empty() || config.architecture().empty()) return std::nullopt;
  return image::Platform{config.os(), config.architecture(), config.variant()};
}

std::map<std::string, std::string> name_annotations(const ImageSource& source) {
  std::map<std::string, std::string> annotations;
  if (!source.oci_image_name.empty()) {
    annotations["io.containerd.image.name"] = source.oci_image_name;
  }
  if (!source.oci_ref_name.empty()) {
    annotations["org.opencontainers.image.ref.name"] = source.oci_ref_name;
  }
  return annotations;
}

// The index.json entry of an image manifest, written as `stored`.
IndexEntry manifest_entry(const ImageSource& source, const image::Manifest& stored) {
  IndexEntry entry{stored.media_type().empty() ? std::string(image::media_type::kOciManifest)
                                               : stored.media_type(),
                   stored.digest(), static_cast<std::int64_t>(stored.raw().size()),
                   platform_of(source), name_annotations(source)};
  if (stored.digest() != source.manifest.digest()) {
    entry.annotations[std::string(kOriginalManifestDigestAnnotation)] =
        source.manifest.digest().string();
  }
  return entry;
}

// An index kept as it is: one entry for all its platforms, which must all be in the archive.
void add_whole_index(OciLayout& layout, const ImageSource& source,
                     std::span<const ImageSource> images) {
  const image::Index& index = *source.whole_index;
  if (!layout.listed.insert(&index).second) return;
  for (const image::Descriptor& listed : index.manifests()) {
    bool present = false;
    for (const ImageSource& image : images) {
      present = present || image.manifest.digest() == listed.digest;
    }
    if (present) continue;
    throw Error(ErrorKind::kFormat,
                "index " + index.digest().string() + " lists " + listed.digest.string() +
                    ", which is not an image hocker can take (an attestation?): its digest "
                    "cannot be preserved; drop --preserve-digests or name the platforms");
  }
  layout.add_document(index.digest(), index.raw());
  layout.index.push_back(IndexEntry{
      index.media_type().empty() ? std::string(image::media_type::kOciIndex) : index.media_type(),
      index.digest(), static_cast<std::int64_t>(index.raw().size()), std::nullopt,
      name_annotations(source)});
}

void add_image(OciLayout& layout, std::span<const ImageSource> images, std::size_t s,
               ManifestDigests digests, const std::vector<std::string>& repo_tags) {
  const ImageSource& source = images[s];
  bool reencode = digests == ManifestDigests::kReencode && has_docker_media_type(source.manifest);
  image::Manifest stored = reencode ? reencode_as_oci(source.manifest) : source.manifest;
  if (digests == ManifestDigests::kPreserve && source.whole_index) {
    add_whole_index(layout, source, images);
  } else {
    std::string name = source.oci_image_name + "\n" + source.oci_ref_name;
    auto group = std::find_if(layout.platforms.begin(), layout.platforms.end(),
                              [&](const auto& taken) { return taken.first == name; });
    if (group == layout.platforms.end()) {
      layout.platforms.emplace_back(name, std::vector<std::size_t>{});
      group = std::prev(layout.platforms.end());
    }
    group->second.push_back(layout.index.size());
    layout.index.push_back(manifest_entry(source, stored));
  }
  layout.add_document(stored.digest(), stored.raw());
  layout.add_document(source.config.digest(), source.config.raw());
  DockerManifestItem item{blob_path(source.config.digest()), repo_tags, {}};
  for (const image::Descriptor& layer : source.manifest.layers()) {
    std::string path = blob_path(layer.digest);
    item.layers.push_back(path);
    layout.algorithms.insert(std::string(layer.digest.algorithm_name()));
    if (!layout.stored.insert(path).second) continue;
    layout.plan.entries.push_back(PlacedEntry{path, layer.size});
    layout.plan.tasks.push_back(LayerTask{layout.plan.tasks.size(), layer, std::nullopt, s});
  }
  layout.items.push_back(std::move(item));
}

// Several platforms of one image become one index.json entry (its names, no platform) for an
// OCI image index stored as a blob, listing their manifests with their platforms: a consumer
// that keys images by name (containerd) then keeps every platform, not the last one listed.
void nest_platforms(OciLayout& layout) {
  std::vector<IndexEntry> entries;
  std::set<std::size_t> nested;
  for (const auto& [name, members] : layout.platforms) {
    if (members.size() < 2) continue;
    std::vector<IndexEntry> listed;
    std::map<std::string, std::string> names = layout.index[members.front()].annotations;
    for (std::size_t i : members) {
      IndexEntry entry = layout.index[i];
      entry.annotations.erase("io.containerd.image.name");
      entry.annotations.erase("org.opencontainers.image.ref.name");
      listed.push_back(std::move(entry));
      nested.insert(i);
    }
    names.erase(std::string(kOriginalManifestDigestAnnotation));
    std::string raw = index_json(listed);
    digest::Digest digest = digest::sha256(raw);
    layout.add_document(digest, raw);
    entries.push_back(IndexEntry{std::string(image::media_type::kOciIndex), digest,
                                 static_cast<std::int64_t>(raw.size()), std::nullopt, names});
  }
  std::vector<IndexEntry> index;
  for (std::size_t i = 0; i < layout.index.size(); ++i) {
    if (!nested.count(i)) {
      index.push_back(layout.index[i]);
      continue;
    }
    for (const auto& [name, members] : layout.platforms) {  // The nest stands at its first.
      if (members.size() > 1 && members.front() == i) {
        index.push_back(entries.front());
        entries.erase(entries.begin());
      }
    }
  }
  layout.index = std::move(index);
}

}  // namespace

ArchivePlan plan_oci_archive(std::span<const ImageSource> images, ManifestDigests digests) {
  for (const ImageSource& source : images) check_layers(source);
  std::vector<std::vector<std::string>> tags = distinct_repo_tags(images);
  OciLayout layout;
  for (std::size_t s = 0; s < images.size(); ++s) add_image(layout, images, s, digests, tags[s]);
  nest_platforms(layout);
  std::vector<FrontEntry>& front = layout.plan.front;
  front.push_back({"oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n"});
  front.push_back({"index.json", index_json(layout.index)});
  front.push_back({"manifest.json", docker_manifest_json(layout.items)});
  front.push_back({"blobs/", "", EntryType::kDirectory});
  for (const std::string& algorithm : layout.algorithms) {
    front.push_back({"blobs/" + algorithm + "/", "", EntryType::kDirectory});
  }
  for (FrontEntry& document : layout.documents) front.push_back(std::move(document));
  return std::move(layout.plan);
}

}  // namespace hocker::archive
