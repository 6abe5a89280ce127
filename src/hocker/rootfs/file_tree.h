// The flattener's first pass: the final file tree of an image, computed from the layers'
// headers alone by the OCI image spec's rules for applying changesets. It records, for each
// final path, which layer entry wins; the data stays in the layers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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
  std::optional<std::string> symlink;  ///< a symlink's target, as written
  EntryPtr header;                     ///< directories only: the header, for the output
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

  /// Applies layer `layer`'s changeset on top of the layers applied before it. Every path
  /// (an entry's, a whiteout's, a hard link's target) is resolved inside the root: a symlink
  /// met before the last component is followed, "/" in its target meaning the root and ".."
  /// stopping at the root (openat2's RESOLVE_IN_ROOT), missing directories are implied; the
  /// last component is never followed (an entry replaces a symlink, it does not write through
  /// it). Throws Error(kFormat) naming `subject` for an entry placed under a file or device, a
  /// path that meets more than kMaxSymlinks symlinks (a loop), a hard link whose target is
  /// missing or a directory, and a non-directory at the root.
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

  /// As Linux's MAXSYMLINKS: more symlinks on one path is a loop (ELOOP).
  static constexpr int kMaxSymlinks = 40;

  struct Node;
  /// Where a path resolved to: the directory holding its last component, and that name.
  struct Place {
    Node* parent = nullptr;  ///< null when a directory is missing and none was implied
    std::string name;        ///< the last component ("" for the root itself)
    std::string path;        ///< the resolved normal path
  };
  /// Resolves normal path `path` inside the root as apply() does; with `imply`, missing
  /// directories on the way are created. Throws Error(kFormat) naming `subject` as apply().
  Place resolve(const std::string& path, bool imply, const std::string& subject);

 private:
  void add(std::size_t layer, LayerEntry& entry, const std::string& subject);

  std::unique_ptr<Node> root_;
  std::vector<EntryRef> sources_;  // content index -> its source entry
};

}  // namespace hocker::rootfs
