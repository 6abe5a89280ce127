// Removal of temporary files when the process is interrupted. A SIGINT/SIGTERM handler
// unlinks every registered path (async-signal-safe) and exits with status 130.
#pragma once

#include <string>

namespace hocker {

/// Installs the SIGINT/SIGTERM handlers once per process. Safe to call repeatedly.
void install_cleanup_handlers();

/// Registers `path` for removal on interruption; returns a slot for unregister_cleanup.
/// Throws Error(kInternal) when more paths are registered than the table holds.
int register_cleanup(const std::string& path);

/// Forgets slot `slot` (the file was renamed into place or removed normally).
void unregister_cleanup(int slot);

}  // namespace hocker
