// The shape of an archive before any layer is fetched: small entries written first, then one
// placed entry per distinct layer with the task that fills it. docker_archive.cc and
// oci_archive.cc make plans; image_archive.cc carries them out.
#pragma once

#include <cstddef>
#include <optional>
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
  std::size_t index = 0;  ///< Position in the manifest, for progress and messages.
  image::Descriptor blob;
  /// Set when the layer is stored decompressed: the expected sha256 of the decompressed bytes.
  std::optional<digest::Digest> diff_id;
};

struct ArchivePlan {
  std::vector<FrontEntry> front;
  std::vector<PlacedEntry> entries;  ///< entries[i] is filled by tasks[i].
  std::vector<LayerTask> tasks;
};

/// The docker-archive (docker save) layout. Throws Error(kFormat) as write_image_archive says.
ArchivePlan plan_docker_archive(const ImageSource& source);
/// The OCI image layout plus a docker manifest.json. Throws Error(kFormat).
ArchivePlan plan_oci_archive(const ImageSource& source);

/// Checks what both formats refuse: diff_ids count unlike the layer count, foreign layers.
void check_layers(const ImageSource& source);

/// The `repositories` document docker save writes, {"name":{"tag":"<top_layer_id>"}}, for the
/// repo_tags of the form name:tag; nullopt when there are none.
std::optional<std::string> repositories_json(const std::vector<std::string>& repo_tags,
                                             const std::string& top_layer_id);

/// A docker manifest.json: [{"Config":config,"RepoTags":repo_tags,"Layers":layers}].
std::string docker_manifest_json(const std::string& config,
                                 const std::vector<std::string>& repo_tags,
                                 const std::vector<std::string>& layers);

}  // namespace hocker::archive
