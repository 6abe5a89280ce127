// The human form of `hocker inspect`: aligned "Key: value" lines, then a table of layers.
// Text from the image is shown with control characters replaced, so it cannot drive the
// terminal.
#pragma once

#include <string>
#include <string_view>

#include "cli/image_summary.h"

namespace hocker::cli {

/// The whole report, newline-terminated lines:
///   Name:        127.0.0.1:5000/team/app:v1
///   Digest:      sha256:...
///   ...
///   Total size:  66.0 KB (66012 bytes)
///
///   #  DIGEST     MEDIA TYPE     SIZE
///   1  sha256:... application/...  66.0 KB (66012 bytes)
std::string render_inspect_text(const ImageSummary& summary);

/// `text` with C0 and C1 control characters and DEL replaced by '?'.
std::string terminal_safe(std::string_view text);

}  // namespace hocker::cli
