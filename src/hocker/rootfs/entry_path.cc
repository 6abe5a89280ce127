#include "hocker/rootfs/entry_path.h"

#include <algorithm>

#include "hocker/base/error.h"

namespace hocker::rootfs {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

}  // namespace

std::string normal_path(std::string_view name, const std::string& subject) {
  if (name.empty() || name.find('\0') != std::string_view::npos) {
    throw Error(ErrorKind::kFormat, subject + ": an entry has an empty or invalid name");
  }
  std::string path;
  for (std::string_view component : path_components(name)) {
    if (component == ".") continue;
    if (component == "..") {
      throw Error(ErrorKind::kFormat, subject + ": refusing entry " + std::string(name) +
                                          ": '..' would reach above the root");
    }
    if (!path.empty()) path += '/';
    path += component;
  }
  return path;
}

void push_components(std::string_view path, std::vector<std::string>& pending) {
  std::vector<std::string> components;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = std::min(path.find('/', start), path.size());
    components.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  pending.insert(pending.end(), components.rbegin(), components.rend());
}

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> components;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) components.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return components;
}

EntryRole entry_role(const std::string& path, std::string& hidden) {
  std::size_t slash = path.rfind('/');
  std::string_view base = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
  if (base == kOpaqueMarker) {
    hidden = parent;
    return EntryRole::kOpaque;
  }
  if (base.starts_with(kMetaPrefix)) return EntryRole::kIgnored;
  if (!base.starts_with(kWhiteoutPrefix)) return EntryRole::kAddition;
  std::string_view name = base.substr(kWhiteoutPrefix.size());
  if (name.empty() || name == "." || name == "..") return EntryRole::kIgnored;
  hidden = parent.empty() ? std::string(name) : parent + "/" + std::string(name);
  return EntryRole::kWhiteout;
}

}  // namespace hocker::rootfs
