// Pushing one image of a docker-archive bundle (hocker push --all): a manifest.json entry, or
// several entries that carry the same name, which are several platforms of one image and go
// up as an index: each manifest by digest, then the index under the tag.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hocker/push/archive_manifest.h"
#include "hocker/push/docker_push.h"
#include "hocker/push/push_target.h"

namespace hocker::push {

/// A manifest an index lists.
struct IndexEntry {
  std::string media_type;
  digest::Digest digest;
  std::int64_t size = 0;
  std::string os, architecture, variant;
};

/// The index of `entries`, in order: a docker manifest list when every entry is a docker
/// manifest, else an OCI index; keys schemaVersion, mediaType, manifests; compact JSON.
BuiltManifest build_index(const std::vector<IndexEntry>& entries);

/// Checks, before any upload, that the manifest.json entries `entries` of a scanned archive
/// can go up as one index: each config is in `scan` and names its os and architecture, and
/// no two name the same platform. Throws Error(kFormat) naming `name`.
void check_platforms(const ArchiveScan& scan, const std::vector<std::size_t>& entries,
                     const std::string& name);

/// Pushes the manifest.json entries `entries` of the scanned archive file to `target` under
/// options.tag: one entry as push_docker_archive_parallel does; several as an index (checked
/// with check_platforms first). The report's digest is the top document's.
PushReport push_docker_entries(const ReaderFactory& open_reader, PushTarget& target,
                               PushOptions options, const ArchiveScan& scan,
                               const std::vector<std::size_t>& entries, int jobs);

}  // namespace hocker::push
