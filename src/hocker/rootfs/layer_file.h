// What the flattener reads: an image's layers as files, bottom layer first. The network, the
// cache and verification are the caller's business; this module only sees verified bytes.
#pragma once

#include <string>

namespace hocker::rootfs {

/// One layer: a tar, uncompressed or compressed with gzip or zstd (detected from its first
/// bytes), in a file that is read from the start once or twice with pread (the descriptor's
/// own offset is neither used nor moved). The caller owns `fd` and keeps it open meanwhile.
struct LayerFile {
  int fd = -1;
  std::string name;  ///< For messages: "layer 2 (sha256:ab12…)".
};

}  // namespace hocker::rootfs
