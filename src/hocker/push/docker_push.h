// Pushing a docker archive (docker save, nixpkgs' dockerTools, hocker image) in one forward
// pass, whatever the member order: layers are uploaded as they stream by, small JSON members
// are kept, and the manifest is built and put last, once manifest.json and the config are known
// and every layer matched its diff_id.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "hocker/digest/digest.h"
#include "hocker/push/archive_manifest.h"
#include "hocker/push/layer_push.h"
#include "hocker/push/push_target.h"
#include "hocker/push/tar_reader.h"

namespace hocker::push {

/// How to push.
struct PushOptions {
  BlobPolicy blobs;
  ManifestFormat format = ManifestFormat::kAuto;
  /// The tag (or digest) to put the manifest under; empty: the tag of the archive's only
  /// RepoTags entry.
  std::string tag;
  /// Which manifest.json entry to push (hocker push --all); none: the archive must hold one.
  std::optional<std::size_t> entry;
};

/// The most the small JSON members of one archive may hold in memory together.
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{64} << 20;

/// What was pushed.
struct PushReport {
  std::string tag;  ///< What the manifest was put under.
  digest::Digest digest;
  int uploaded = 0;  ///< Blobs whose bytes were sent (the config included).
  int skipped = 0;   ///< Blobs the registry already had (or mounted).
};

/// What a first pass over an archive file learns, so that the second pass knows every member
/// before it arrives: manifest.json, the small JSON members, and the digest of each
/// already-compressed member (asked of the registry before uploading it).
struct ArchiveScan {
  std::optional<std::string> manifest_json;
  std::map<std::string, std::string> documents;
  std::map<std::string, digest::Digest> compressed;
};

/// Reads the whole archive once, hashing compressed members and keeping documents (plain
/// members are skipped after their first bytes). Member names are checked, so a hostile name
/// fails here, before anything is uploaded. Throws like TarReader.
ArchiveScan scan_docker_archive(TarReader& reader);

/// Pushes the one image of the archive `reader` reads to `target`. `scan` (from a first pass)
/// may be null: the pass alone then finds everything, and a member that is not referenced is
/// uploaded anyway when it arrives before manifest.json. Throws Error(kFormat) for a missing
/// manifest.json, config or layer, several images (unless
/// options.entry picks one), a layer count that differs from the
/// config's diff_ids; Error(kIntegrity) for a layer whose content does not match its diff_id
/// (the manifest is then not put); Error(kUsage) when no tag is given and the archive has not
/// exactly one RepoTags entry.
PushReport push_docker_archive(TarReader& reader, PushTarget& target, const PushOptions& options,
                               const ArchiveScan* scan);

/// Calls its argument with a fresh reader at the start of the same archive file (the caller
/// owns the descriptor, and may be called from several threads at once).
using ReaderFactory = std::function<void(const std::function<void(TarReader&)>&)>;

/// Like push_docker_archive for a file already scanned, with its layers pushed by `jobs`
/// threads, each reading the file through its own reader and taking every jobs-th layer (a
/// member it does not take is skipped with lseek on an uncompressed file). The manifest is put
/// last, once every thread is done; the first failure stops the others and is rethrown.
PushReport push_docker_archive_parallel(const ReaderFactory& open_reader, PushTarget& target,
                                        const PushOptions& options, const ArchiveScan& scan,
                                        int jobs);

/// The tag part of a RepoTags entry ("name:tag" → "tag"); "" when it has none.
std::string tag_of(const std::string& repo_tag);

}  // namespace hocker::push
