// The names of layer entries as the OCI image spec's changeset rules see them: one normal form
// for paths ("./a//b/" and "/a/b" are "a/b"), and what a whiteout entry means.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hocker::rootfs {

/// `name` as a relative path without ".", empty components, or leading and trailing slashes;
/// "" for the root itself ("./", "/"). Throws Error(kFormat) naming `subject` when a component
/// is ".." (it would reach above the root) or the name is empty or contains a NUL.
std::string normal_path(std::string_view name, const std::string& subject);

/// The components of a normal path ("" has none).
std::vector<std::string_view> path_components(std::string_view path);

/// Pushes every component of `path` (empty ones, "." and ".." included) on `pending`, a stack
/// whose top is the first component: the work list of a walk that resolves symlinks.
void push_components(std::string_view path, std::vector<std::string>& pending);

/// What an entry is to the changeset rules.
enum class EntryRole {
  kAddition,  ///< a file, directory, link or node placed at its path
  kWhiteout,  ///< ".wh.NAME": hides NAME of lower layers
  kOpaque,    ///< "DIR/.wh..wh..opq": hides every lower-layer child of DIR
  kIgnored,   ///< another ".wh..wh." name (aufs metadata): neither applied nor written
};

/// The role of the entry at normal path `path`; for a whiteout, `hidden` is set to the path it
/// hides, for an opaque marker to its directory.
EntryRole entry_role(const std::string& path, std::string& hidden);

}  // namespace hocker::rootfs
