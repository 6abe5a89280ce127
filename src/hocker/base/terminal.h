// Terminal detection for choosing between a live progress display and plain log lines.
#pragma once

namespace hocker {

/// True when `fd` is a terminal and TERM is set and not "dumb" (as ninja decides).
bool is_smart_terminal(int fd);

/// Width of the terminal on `fd`, or 80 when unknown.
int terminal_width(int fd);

}  // namespace hocker
