// Removal of temporary files when the process is interrupted. A SIGINT/SIGTERM handler
// unlinks every registered path (async-signal-safe), says so in one line on stderr and exits
// with status 130.
#pragma once

#include <string>

namespace hocker {

/// Installs the SIGINT/SIGTERM handlers once per process. Safe to call repeatedly.
void install_cleanup_handlers();

/// Makes the handler print "<program>: error: interrupted by SIGINT" (or SIGTERM) before it
/// exits; until called, it exits silently.
void set_interrupt_notice(const std::string& program);

/// Registers `path` for removal on interruption; returns a slot for unregister_cleanup.
/// Throws Error(kInternal) when more paths are registered than the table holds.
int register_cleanup(const std::string& path);

/// Forgets slot `slot` (the file was renamed into place or removed normally).
void unregister_cleanup(int slot);

}  // namespace hocker
