// hocker push --all: every image a bundle holds, each to the name it records (or re-homed onto
// a destination registry and prefix), one `name:tag@digest` line per image.
#pragma once

#include <optional>
#include <string>

#include "cli/options.h"
#include "hocker/push/docker_push.h"

namespace hocker::cli {

/// What push --all needs beyond the shared options.
struct PushAllRequest {
  std::string source;  ///< A docker archive file or "-", an OCI layout or archive.
  std::optional<std::string> destination;  ///< REGISTRY[/PREFIX], or each recorded name.
  push::PushOptions options;               ///< Compression, format, mount-from; tag unused.
  int jobs = 3;
};

/// Pushes every image of the bundle: all names are checked first (Error kFormat before any
/// upload), then each image is pushed in the bundle's order, sharing blobs across images of the
/// same registry (HEAD, then a mount from the repository that received them). Writes one line
/// per pushed name on stdout as it completes. A stream on stdin ("-") is read in one pass
/// (push::push_docker_stream: manifest.json must come before the layers).
void push_all(FetchOptions& options, PushAllRequest request);

}  // namespace hocker::cli
