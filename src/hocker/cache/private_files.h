// Files and folders only the current user can have made: opened relative to folder
// descriptors without following links, and checked after opening. The cache's defence against
// other users of a shared machine; it leaves content checks (digests) to its callers.
#pragma once

#include <string>

#include "hocker/base/unique_fd.h"

namespace hocker::cache {

/// Creates `path` and any missing parent folders (mode 0700) and opens it, following a link
/// at `path` itself (the user named it). Throws Error(kLocalIo) unless it belongs to the
/// current user and is closed to writes by group and others.
UniqueFd open_private_root(const std::string& path);

/// Creates `name` in `parent` (mode 0700) when missing and opens it without following a link.
/// Throws Error(kLocalIo), naming `path`, when it is not a folder or fails the owner and mode
/// checks of open_private_root().
UniqueFd open_private_folder(int parent, const std::string& name, const std::string& path);

/// Whether to create the entry when it is missing.
enum class Create { kNo, kYes };

/// Opens `name` in `folder` with `flags` (O_RDONLY or O_RDWR), creating it 0600 when asked, as
/// a regular file with one link only: a symlink, FIFO, device, folder or hard-linked file there
/// was not made by hocker, so its name is removed (its target is never opened for writing, and
/// a FIFO cannot block) and the entry counts as missing. Returns an empty UniqueFd when the
/// entry is missing. The descriptor is blocking. Throws Error(kLocalIo) naming `path`.
UniqueFd open_private_file(int folder, const std::string& name, int flags, Create create,
                           const std::string& path);

/// Whether `name` in `folder` is a regular file with one link (links not followed).
bool is_private_file(int folder, const std::string& name);

}  // namespace hocker::cache
