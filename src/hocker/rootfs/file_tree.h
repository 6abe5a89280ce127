// The flattener's first pass: the final file tree of an image, computed from the layers'
// headers alone by the OCI image spec's rules for applying changesets. It records, for each
// final path, which layer entry wins; the data stays in the layers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct archive_entry;

namespace hocker::rootfs {

/// Frees a cloned libarchive header.
struct EntryDeleter {
  void operator()(archive_entry* entry) const;
};
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

/// An entry of a layer: which layer (0 = bottom) and its index in that layer's tar.
struct EntryRef {
  std::size_t layer = 0;
  std::int64_t ordinal = 0;
};

/// One entry of a layer as the rules need it (read by FileTree::read_layer).
struct LayerEntry {
  std::string path;      ///< normal path (entry_path.h)
  std::int64_t ordinal;  ///< index in the layer's tar
  bool directory = false;
  std::string hardlink;  ///< normal path of a hard link's target; empty for other entries
  EntryPtr header;       ///< directories only: the header, for the output
};

/// What one layer changes, its whiteouts separated from its additions (a whiteout applies to
/// the lower layers only, wherever it stands in its own layer).
struct Changeset {
  std::vector<std::string> whiteouts;  ///< paths hidden
  std::vector<std::string> opaques;    ///< directories whose lower children are hidden
  std::vector<LayerEntry> additions;   ///< in the layer's order
};

/// A non-directory's content, shared by the paths hard-linked to it (an inode).
struct Content {
  EntryRef source;                   ///< the entry carrying its header and data
  std::vector<std::string> members;  ///< final paths, in output order (members[0] carries it)
};

/// The tree of final paths.
class FileTree {
 public:
  FileTree();
  ~FileTree();

  /// Applies layer `layer`'s changeset on top of the layers applied before it. Throws
  /// Error(kFormat) naming `subject` for an entry placed under a non-directory (a symlink
  /// included: nothing is written through a link), a hard link whose target is missing, a
  /// directory, or reached through a non-directory, and a non-directory at the root.
  void apply(std::size_t layer, Changeset changes, const std::string& subject);

  /// Every final directory, depth first with siblings in byte order of their names (parents
  /// before children), with its header (null for a directory only implied by its children).
  struct Directory {
    std::string path;
    archive_entry* header;
  };
  std::vector<Directory> directories() const;
  /// Every content still reached by a final path, its members listed in the same order as
  /// directories(); sorted by source entry (layer, then ordinal).
  std::vector<Content> contents() const;

  struct Node;

 private:
  Node* find(const std::string& path) const;
  Node& parent_for(const std::string& path, const std::string& subject);
  void add(std::size_t layer, LayerEntry& entry, const std::string& subject);

  std::unique_ptr<Node> root_;
  std::vector<EntryRef> sources_;  // content index -> its source entry
};

}  // namespace hocker::rootfs
