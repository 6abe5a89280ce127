// Flattening an image's layers into its root filesystem by the OCI image spec's changeset rules
// (docs/spec.md §8): whiteouts, opaque directories, replacements and hard links resolved, in a
// fixed order, streaming each entry's data from its layer. The output is a consumer of entries:
// a pax tar (write_rootfs_tar) or a directory (unpack.h).
#pragma once

#include <span>

#include "hocker/base/byte_sink.h"
#include "hocker/rootfs/layer_file.h"

struct archive_entry;

namespace hocker::rootfs {

class LayerReader;

/// Receives the flattened entries in output order. `entry` is a complete header (normal
/// relative path; for a hard link, the path of an entry already received); `data` is non-null
/// for a regular file with content, positioned at it (LayerReader::read_data).
class EntryConsumer {
 public:
  virtual ~EntryConsumer() = default;
  virtual void add(archive_entry* entry, LayerReader* data) = 0;
  /// After the last entry.
  virtual void finish() = 0;
};

/// Flattens `layers` (bottom first) into `out`. Pass 1 reads every layer's headers and computes
/// the final tree; nothing reaches `out` before it succeeded, so a malformed or hostile layer
/// is refused before any output. Pass 2 sends, in this order: every directory, depth first,
/// siblings in byte order of their names; then, layer by layer from the bottom and in each
/// layer's own order, the entries that survive (each content under its first path in the
/// directory order, followed at once by hard links from its other paths). Whiteouts never
/// appear. Throws Error(kFormat) naming the layer and entry for a malformed or refused layer,
/// and what `out` throws.
void flatten(std::span<const LayerFile> layers, EntryConsumer& out);

/// flatten() into one pax tar written to `sink` (deterministic: the same layers give the same
/// bytes), then sink.finish(). Memory holds the headers of directories and one path per entry;
/// data streams in chunks.
void write_rootfs_tar(std::span<const LayerFile> layers, ByteSink& sink);

}  // namespace hocker::rootfs
