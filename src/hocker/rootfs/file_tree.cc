#include "hocker/rootfs/file_tree.h"

#include <archive_entry.h>

#include <algorithm>
#include <functional>

#include "hocker/base/error.h"
#include "hocker/rootfs/entry_path.h"

namespace hocker::rootfs {

void EntryDeleter::operator()(archive_entry* entry) const {
  archive_entry_free(entry);
}

struct FileTree::Node {
  bool directory = true;
  EntryPtr header;          // directory: its header; null when only implied
  std::size_t content = 0;  // non-directory: index into sources_
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;
};

FileTree::FileTree() : root_(std::make_unique<Node>()) {}
FileTree::~FileTree() = default;

// Walks through directories only; null when a component is missing or not a directory.
FileTree::Node* FileTree::find(const std::string& path) const {
  Node* node = root_.get();
  for (std::string_view component : path_components(path)) {
    if (!node->directory) return nullptr;
    auto found = node->children.find(component);
    if (found == node->children.end()) return nullptr;
    node = found->second.get();
  }
  return node;
}

// The directory that will hold `path`, creating implied directories (mode 0755, owned by root,
// as containerd and docker create missing parents) where a component is missing.
FileTree::Node& FileTree::parent_for(const std::string& path, const std::string& subject) {
  std::vector<std::string_view> components = path_components(path);
  Node* node = root_.get();
  std::string walked;
  for (std::size_t i = 0; i + 1 < components.size(); ++i) {
    walked += (walked.empty() ? "" : "/") + std::string(components[i]);
    auto& child = node->children[std::string(components[i])];
    if (!child) child = std::make_unique<Node>();
    if (!child->directory) {
      throw Error(ErrorKind::kFormat, subject + ": refusing entry " + path + ": " + walked +
                                          " is not a directory (nothing is written through "
                                          "a link or into a file)");
    }
    node = child.get();
  }
  return *node;
}

void FileTree::add(std::size_t layer, LayerEntry& entry, const std::string& subject) {
  if (entry.path.empty()) {
    // The root itself: its own entry ("./") changes nothing we write; anything else is refused.
    if (entry.directory) return;
    throw Error(ErrorKind::kFormat, subject + ": refusing an entry that replaces the root");
  }
  std::size_t content = 0;
  if (!entry.hardlink.empty()) {  // resolved first: a link may name the path it replaces
    Node* target = find(entry.hardlink);
    if (target == nullptr || target->directory || target == root_.get()) {
      throw Error(ErrorKind::kFormat, subject + ": refusing hard link " + entry.path + " -> " +
                                          entry.hardlink +
                                          ": its target is missing or not a file here");
    }
    content = target->content;
  }
  Node& parent = parent_for(entry.path, subject);
  std::string name = entry.path.substr(entry.path.rfind('/') + 1);
  auto& slot = parent.children[name];
  if (entry.directory) {
    if (!slot || !slot->directory) slot = std::make_unique<Node>();  // keeps a dir's children
    slot->header = std::move(entry.header);
    return;
  }
  if (entry.hardlink.empty()) {
    content = sources_.size();
    sources_.push_back({layer, entry.ordinal});
  }
  slot = std::make_unique<Node>();  // a non-directory drops whatever was there, subtree too
  slot->directory = false;
  slot->content = content;
}

void FileTree::apply(std::size_t layer, Changeset changes, const std::string& subject) {
  // Whiteouts first: they hide what the lower layers left, never an entry of their own layer,
  // and an opaque marker hides every lower child of its directory wherever it stands.
  for (const std::string& path : changes.whiteouts) {
    std::size_t slash = path.rfind('/');
    Node* parent = find(slash == std::string::npos ? "" : path.substr(0, slash));
    if (parent != nullptr && parent->directory) {
      auto found = parent->children.find(path.substr(slash == std::string::npos ? 0 : slash + 1));
      if (found != parent->children.end()) parent->children.erase(found);
    }
  }
  for (const std::string& path : changes.opaques) {
    Node* directory = find(path);
    if (directory != nullptr && directory->directory) directory->children.clear();
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
