// Pushing an OCI image layout: a directory, or a tar of one (maybe compressed). Blobs go first,
// then manifests by digest, children before the index that lists them, and the top document
// last under the tag. Documents are pushed byte-exact: their digests do not change.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hocker/image/descriptor.h"
#include "hocker/push/docker_push.h"
#include "hocker/push/layer_push.h"
#include "hocker/push/push_target.h"
#include "hocker/push/tar_reader.h"

namespace hocker::push {

/// A manifest or index to put, exact bytes.
struct OciDocument {
  std::string raw;
  std::string media_type;
  std::string reference;  ///< Its digest, or the tag for the top document.
};

/// What pushing a layout takes, in order: the blobs (configs and layers, each once), then the
/// documents (children before their index, the top one last).
struct OciPlan {
  std::vector<image::Descriptor> blobs;
  std::vector<OciDocument> documents;
};

/// Reads a manifest or index blob whole (at most image::kMaxManifestSize bytes), verified.
using ReadDocument = std::function<std::string(const image::Descriptor&)>;

/// Plans the push of a layout from its index.json: when it lists one manifest (or index), that
/// document goes under `tag` (empty: its org.opencontainers.image.ref.name annotation); when it
/// lists several, index.json itself is the top index, unless its entries carry different
/// names (several images: Error(kFormat), pointing at --all). Throws Error(kUsage) when no tag
/// can be found, Error(kFormat) for malformed documents, Error(kIntegrity) for a document that does
/// not match its descriptor.
OciPlan plan_oci_layout(const std::string& index_json, const ReadDocument& read_document,
                        const std::string& tag);

/// Puts the plan's documents in order; the report names the last one.
PushReport put_oci_documents(const OciPlan& plan, PushTarget& target, PushReport report);

/// Whether `path` is a directory holding an oci-layout file.
bool is_oci_layout_directory(const std::string& path);

/// Pushes the layout directory `directory`: blobs are streamed from blobs/<algorithm>/<hex>,
/// verified, when the repository lacks them, `jobs` at a time. `index_override`, when set,
/// replaces the layout's index.json (one entry of a bundle: single_entry_index()).
PushReport push_oci_directory(const std::string& directory, PushTarget& target,
                              const BlobPolicy& policy, const std::string& tag, int jobs = 1,
                              const std::string* index_override = nullptr);

/// Whether a first pass over an archive found an OCI layout rather than a docker archive (an
/// index.json and no manifest.json).
bool is_oci_archive(const ArchiveScan& scan);

/// Pushes an OCI layout archive: `scan` (the first pass) has index.json and the small JSON
/// blobs; `second_pass` reads the archive again to stream the blobs the repository lacks.
/// `index_override` as for push_oci_directory.
PushReport push_oci_archive(const ArchiveScan& scan, TarReader& second_pass, PushTarget& target,
                            const BlobPolicy& policy, const std::string& tag,
                            const std::string* index_override = nullptr);

}  // namespace hocker::push
