// The shape of an archive before any layer is fetched: small entries written first, then one
// placed entry per distinct layer with the task that fills it. docker_archive.cc and
// oci_archive.cc make plans for one image or a bundle of several; image_archive.cc carries them
// out.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hocker/archive/entry_placer.h"
#include "hocker/archive/image_source.h"
#include "hocker/archive/tar_writer.h"
#include "hocker/digest/digest.h"

namespace hocker::archive {

/// An entry whose content is known up front (documents, directories).
struct FrontEntry {
  std::string name;
  std::string content;
  EntryType type = EntryType::kFile;
};

/// Fetching one distinct layer into its placed entry.
struct LayerTask {
  std::size_t index = 0;  ///< Position among the archive's tasks, for progress.
  image::Descriptor blob;
  /// Set when the layer is stored decompressed: the expected sha256 of the decompressed bytes.
  std::optional<digest::Digest> diff_id;
  std::size_t source = 0;  ///< The image (of the bundle) whose fetcher fetches it.
};

struct ArchivePlan {
  std::vector<FrontEntry> front;
  std::vector<PlacedEntry> entries;  ///< entries[i] is filled by tasks[i].
  std::vector<LayerTask> tasks;
};

/// The docker-archive (docker save) layout, one manifest.json entry per image. Throws
/// Error(kFormat) as write_archive says.
ArchivePlan plan_docker_archive(std::span<const ImageSource> images);
/// The OCI image layout plus a docker manifest.json. Throws Error(kFormat).
ArchivePlan plan_oci_archive(std::span<const ImageSource> images, ManifestDigests digests);

/// Checks what both formats refuse: diff_ids count unlike the layer count, foreign layers.
void check_layers(const ImageSource& source);

/// The RepoTags of each image: its repo_tags less those an earlier image already carries (docker
/// load would give a name to the last image that claims it; here the first keeps it).
std::vector<std::vector<std::string>> distinct_repo_tags(std::span<const ImageSource> images);

/// One image of docker's manifest.json.
struct DockerManifestItem {
  std::string config;
  std::vector<std::string> repo_tags;
  std::vector<std::string> layers;
};

/// A docker manifest.json: [{"Config":config,"RepoTags":repo_tags,"Layers":layers},…] (RepoTags
/// null when empty), one line and a newline.
std::string docker_manifest_json(const std::vector<DockerManifestItem>& items);

}  // namespace hocker::archive
