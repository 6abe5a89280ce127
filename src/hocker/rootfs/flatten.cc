#include "hocker/rootfs/flatten.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <vector>

#include "hocker/base/error.h"
#include "hocker/rootfs/entry_path.h"
#include "hocker/rootfs/file_tree.h"
#include "hocker/rootfs/layer_reader.h"
#include "hocker/rootfs/locale_scope.h"

namespace hocker::rootfs {
namespace {

std::string entry_name(archive_entry* entry, const std::string& subject) {
  const char* name = archive_entry_pathname(entry);
  if (name == nullptr) name = archive_entry_pathname_utf8(entry);
  if (name == nullptr) throw Error(ErrorKind::kFormat, subject + ": an entry has no readable name");
  return name;
}

// Pass 1 for one layer: every header, the data skipped.
Changeset read_changeset(const LayerFile& layer) {
  Changeset changes;
  LayerReader reader(layer);
  while (archive_entry* entry = reader.next()) {
    std::string path = normal_path(entry_name(entry, layer.name), layer.name);
    std::string hidden;
    switch (entry_role(path, hidden)) {
      case EntryRole::kWhiteout:
        changes.whiteouts.push_back(std::move(hidden));
        continue;
      case EntryRole::kOpaque:
        changes.opaques.push_back(std::move(hidden));
        continue;
      case EntryRole::kIgnored:
        continue;
      case EntryRole::kAddition:
        break;
    }
    LayerEntry addition{std::move(path), reader.ordinal(), false, {}, {}, {}};
    if (const char* target = archive_entry_hardlink(entry)) {
      addition.hardlink = normal_path(target, layer.name);
      if (addition.hardlink.empty()) {
        throw Error(ErrorKind::kFormat, layer.name + ": refusing hard link " + addition.path +
                                            " to the root directory");
      }
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      const char* link = archive_entry_symlink(entry);
      addition.symlink = link != nullptr ? link : "";
    } else if (archive_entry_filetype(entry) == AE_IFDIR) {
      addition.directory = true;
      addition.header.reset(archive_entry_clone(entry));
    }
    changes.additions.push_back(std::move(addition));
  }
  return changes;
}

// libarchive reads an xattr twice from a tar that holds both its SCHILY.xattr and its
// LIBARCHIVE.xattr record (libarchive writes both by default): keep the first of each name.
void drop_duplicate_xattrs(archive_entry* entry) {
  if (archive_entry_xattr_count(entry) < 2) return;
  std::vector<std::pair<std::string, std::string>> unique;
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  archive_entry_xattr_reset(entry);
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
    bool seen = std::any_of(unique.begin(), unique.end(),
                            [&](const auto& kept) { return kept.first == name; });
    if (!seen) unique.emplace_back(name, std::string(static_cast<const char*>(value), size));
  }
  archive_entry_xattr_clear(entry);
  for (const auto& [kept_name, kept_value] : unique) {
    archive_entry_xattr_add_entry(entry, kept_name.c_str(), kept_value.data(), kept_value.size());
  }
}

// A directory only implied by the paths beneath it.
EntryPtr implied_directory() {
  EntryPtr entry(archive_entry_new());
  archive_entry_set_filetype(entry.get(), AE_IFDIR);
  archive_entry_set_perm(entry.get(), 0755);
  return entry;
}

void emit_directories(const FileTree& tree, EntryConsumer& out) {
  for (const FileTree::Directory& directory : tree.directories()) {
    EntryPtr entry(directory.header != nullptr ? archive_entry_clone(directory.header)
                                               : implied_directory().release());
    archive_entry_set_pathname(entry.get(), directory.path.c_str());
    archive_entry_set_size(entry.get(), 0);
    drop_duplicate_xattrs(entry.get());
    out.add(entry.get(), nullptr);
  }
}

// One content: under its first path with its data, then hard links from its other paths.
void emit_content(archive_entry* entry, LayerReader& reader, const Content& content,
                  EntryConsumer& out) {
  const std::string& first = content.members.front();
  archive_entry_set_pathname(entry, first.c_str());
  archive_entry_sparse_clear(entry);  // holes are written as zeros
  drop_duplicate_xattrs(entry);
  bool has_data = archive_entry_filetype(entry) == AE_IFREG && archive_entry_size(entry) > 0;
  if (archive_entry_filetype(entry) != AE_IFREG) archive_entry_set_size(entry, 0);
  out.add(entry, has_data ? &reader : nullptr);
  for (std::size_t i = 1; i < content.members.size(); ++i) {
    EntryPtr link(archive_entry_clone(entry));
    archive_entry_set_pathname(link.get(), content.members[i].c_str());
    archive_entry_set_hardlink(link.get(), first.c_str());
    archive_entry_set_size(link.get(), 0);
    out.add(link.get(), nullptr);
  }
}

// Pass 2 for the non-directories: each layer holding a surviving entry is read once, up to its
// last surviving entry.
void emit_contents(std::span<const LayerFile> layers, const std::vector<Content>& contents,
                   EntryConsumer& out) {
  std::size_t next = 0;
  while (next < contents.size()) {
    std::size_t layer = contents[next].source.layer;
    LayerReader reader(layers[layer]);
    for (; next < contents.size() && contents[next].source.layer == layer; ++next) {
      archive_entry* entry = nullptr;
      do {
        entry = reader.next();
        if (entry == nullptr) {
          throw Error(ErrorKind::kInternal, layers[layer].name + ": changed while being read");
        }
      } while (reader.ordinal() < contents[next].source.ordinal);
      emit_content(entry, reader, contents[next], out);
    }
  }
}

}  // namespace

void flatten(std::span<const LayerFile> layers, EntryConsumer& out) {
  LocaleScope utf8;  // names are bytes, UTF-8 in pax records: no conversion to a C locale
  FileTree tree;
  for (std::size_t layer = 0; layer < layers.size(); ++layer) {
    tree.apply(layer, read_changeset(layers[layer]), layers[layer].name);
  }
  emit_directories(tree, out);
  emit_contents(layers, tree.contents(), out);
  out.finish();
}

}  // namespace hocker::rootfs
