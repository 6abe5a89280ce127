// Where `hocker assemble` finds an image's blobs on disk: a folder of files named by digest, or
// files named one by one. Only finding: checking their bytes against the lock is assemble.h's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "hocker/digest/digest.h"

namespace hocker::assemble {

/// The blob files given on the command line (--blobs DIR or --blob FILE...).
class BlobFiles {
 public:
  /// A folder holding each blob as `DIR/sha256/HEX` (the blobs/ folder of an OCI layout or of
  /// hocker's cache) or as `DIR/HEX` (skopeo's dir: layout), looked for in that order.
  static BlobFiles in_directory(std::filesystem::path directory);
  /// Files named one by one: each holds the blob whose hex digest ends its file name, after a
  /// character that is not a hex digit or at its start ("HEX", "sha256:HEX", "sha256-HEX",
  /// or a Nix store path "/nix/store/…-blob-sha256-HEX"). Files matching no blob are ignored.
  static BlobFiles listed(std::vector<std::filesystem::path> files);

  /// The file that should hold `digest`, which exists (links followed). Throws
  /// Error(kNotFound, "blob sha256:…: no file DIR/sha256/HEX or DIR/HEX") or, for listed files,
  /// ("blob sha256:…: none of the --blob files is named after it").
  std::filesystem::path locate(const digest::Digest& digest) const;

 private:
  BlobFiles(std::filesystem::path directory, std::vector<std::filesystem::path> files)
      : directory_(std::move(directory)), files_(std::move(files)) {}

  std::filesystem::path directory_;           ///< Empty for listed files.
  std::vector<std::filesystem::path> files_;  ///< Listed files, in the order given.
};

}  // namespace hocker::assemble
