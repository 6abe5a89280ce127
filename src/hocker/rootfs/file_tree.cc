#include "hocker/rootfs/file_tree.h"

#include <archive_entry.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "hocker/base/error.h"
#include "hocker/rootfs/entry_path.h"

namespace hocker::rootfs {

void EntryDeleter::operator()(archive_entry* entry) const {
  archive_entry_free(entry);
}

struct FileTree::Node {
  bool directory = true;
  EntryPtr header;                     // directory: its header; null when only implied
  std::size_t content = 0;             // non-directory: index into sources_
  std::optional<std::string> symlink;  // a symlink's target
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;

  const Node* child(const std::string& name) const {
    auto found = children.find(name);
    return found == children.end() ? nullptr : found->second.get();
  }
};

FileTree::FileTree() : root_(std::make_unique<Node>()) {}
FileTree::~FileTree() = default;

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string path;
  for (const std::string& name : names) path += (path.empty() ? "" : "/") + name;
  return path;
}

}  // namespace

// The walk of openat2's RESOLVE_IN_ROOT over the tree in memory: a symlink before the last
// component is followed, an absolute target restarting at the root and ".." never climbing
// above it, as umoci and docker (which applies a layer chrooted into its root) resolve a
// layer's paths.
FileTree::Place FileTree::resolve(const std::string& path, bool imply, const std::string& subject) {
  std::vector<std::string_view> components = path_components(path);
  if (components.empty()) return {root_.get(), "", ""};
  std::vector<std::string> pending;
  push_components(path.substr(0, path.size() - components.back().size()), pending);
  std::vector<Node*> nodes{root_.get()};
  std::vector<std::string> names;
  int links = 0;
  while (!pending.empty()) {
    std::string component = std::move(pending.back());
    pending.pop_back();
    if (component.empty() || component == ".") continue;
    if (component == "..") {
      if (nodes.size() > 1) nodes.pop_back(), names.pop_back();
      continue;
    }
    auto found = nodes.back()->children.find(component);
    if (found == nodes.back()->children.end()) {
      if (!imply) return {nullptr, std::string(components.back()), ""};
      found = nodes.back()->children.emplace(component, std::make_unique<Node>()).first;
    }
    Node* child = found->second.get();
    names.push_back(component);
    if (child->directory) {
      nodes.push_back(child);
      continue;
    }
    if (!child->symlink) {
      throw Error(ErrorKind::kFormat, subject + ": refusing entry " + path + ": " + joined(names) +
                                          " is not a directory");
    }
    if (++links > kMaxSymlinks) {
      throw Error(ErrorKind::kFormat,
                  subject + ": refusing entry " + path + ": too many levels of symbolic links");
    }
    names.pop_back();
    if (child->symlink->starts_with('/')) nodes.resize(1), names.clear();
    push_components(*child->symlink, pending);
  }
  std::string name(components.back());
  std::string resolved = joined(names);
  return {nodes.back(), name, resolved.empty() ? name : resolved + "/" + name};
}

void FileTree::add(std::size_t layer, LayerEntry& entry, const std::string& subject) {
  if (entry.path.empty()) {
    // The root itself: its own entry ("./") changes nothing we write; anything else is refused.
    if (entry.directory) return;
    throw Error(ErrorKind::kFormat, subject + ": refusing an entry that replaces the root");
  }
  const Node* linked = nullptr;
  if (!entry.hardlink.empty()) {  // resolved first: a link may name the path it replaces
    Place target = resolve(entry.hardlink, false, subject);
    const Node* found = target.parent == nullptr ? nullptr : target.parent->child(target.name);
    if (found == nullptr || found->directory) {
      throw Error(ErrorKind::kFormat, subject + ": refusing hard link " + entry.path + " -> " +
                                          entry.hardlink +
                                          ": its target is missing or not a file here");
    }
    linked = found;
  }
  Place place = resolve(entry.path, true, subject);
  auto& slot = place.parent->children[place.name];
  if (entry.directory) {
    if (!slot || !slot->directory) slot = std::make_unique<Node>();  // keeps a dir's children
    slot->header = std::move(entry.header);
    return;
  }
  auto node = std::make_unique<Node>();  // a non-directory drops whatever was there, subtree too
  node->directory = false;
  if (linked != nullptr) {
    node->content = linked->content;
    node->symlink = linked->symlink;
  } else {
    node->content = sources_.size();
    sources_.push_back({layer, entry.ordinal});
    node->symlink = entry.symlink;
  }
  slot = std::move(node);
}

void FileTree::apply(std::size_t layer, Changeset changes, const std::string& subject) {
  // Whiteouts first: they hide what the lower layers left, never an entry of their own layer,
  // and an opaque marker hides every lower child of its directory wherever it stands.
  for (const std::string& path : changes.whiteouts) {
    Place place = resolve(path, false, subject);
    if (place.parent != nullptr) place.parent->children.erase(place.name);
  }
  for (const std::string& path : changes.opaques) {
    // The marker's directory is a parent of the marker: followed like any parent.
    Place place = resolve(path.empty() ? ".wh..wh..opq" : path + "/.wh..wh..opq", false, subject);
    if (place.parent != nullptr) place.parent->children.clear();
  }
  for (LayerEntry& entry : changes.additions) add(layer, entry, subject);
}

std::vector<FileTree::Directory> FileTree::directories() const {
  std::vector<Directory> result;
  std::function<void(const Node&, const std::string&)> walk = [&](const Node& node,
                                                                  const std::string& path) {
    for (const auto& [name, child] : node.children) {
      if (!child->directory) continue;
      std::string child_path = path.empty() ? name : path + "/" + name;
      result.push_back({child_path, child->header.get()});
      walk(*child, child_path);
    }
  };
  walk(*root_, "");
  return result;
}

std::vector<Content> FileTree::contents() const {
  std::vector<std::vector<std::string>> members(sources_.size());
  std::function<void(const Node&, const std::string&)> walk = [&](const Node& node,
                                                                  const std::string& path) {
    for (const auto& [name, child] : node.children) {
      std::string child_path = path.empty() ? name : path + "/" + name;
      if (child->directory) {
        walk(*child, child_path);
      } else {
        members[child->content].push_back(child_path);
      }
    }
  };
  walk(*root_, "");
  std::vector<Content> result;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (!members[i].empty()) result.push_back({sources_[i], std::move(members[i])});
  }
  std::sort(result.begin(), result.end(), [](const Content& a, const Content& b) {
    return a.source.layer != b.source.layer ? a.source.layer < b.source.layer
                                            : a.source.ordinal < b.source.ordinal;
  });
  return result;
}

}  // namespace hocker::rootfs
