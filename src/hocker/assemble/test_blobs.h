// Helpers for the assemble unit tests: a scratch folder and a small locked image whose blob
// files the tests write there (and may then tamper with, move or delete).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hocker/digest/digest.h"
#include "hocker/lock/lockfile.h"

namespace hocker::assemble::testing {

/// A fresh folder under the test temp dir, removed by the destructor.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "hocker-assemble-XXXXXX";
    path = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

/// An image of two layers (opaque bytes: nothing here decompresses them), locked for linux/amd64.
struct LockedTestImage {
  std::vector<std::string> layers{"first layer bytes", "second layer, a little longer"};
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers",)"
                       R"("diff_ids":[")" +
                       digest::sha256("one").string() + R"(",")" + digest::sha256("two").string() +
                       R"("]}})";
  std::string manifest;
  lock::LockedImage image;

  LockedTestImage() {
    const char* layer_type = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.)"
               R"(manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.)"
               R"(image.v1+json","digest":")" +
               digest::sha256(config).string() + R"(","size":)" + std::to_string(config.size()) +
               R"(},"layers":[)";
    lock::LockedPlatform platform{{"linux", "amd64", ""}, {}, {}, {}};
    for (std::size_t i = 0; i < layers.size(); ++i) {
      manifest += std::string(i > 0 ? "," : "") + R"({"mediaType":")" + layer_type +
                  R"(","digest":")" + digest::sha256(layers[i]).string() + R"(","size":)" +
                  std::to_string(layers[i].size()) + "}";
      lock::LockedLayer layer;
      layer.digest = digest::sha256(layers[i]).string();
      layer.media_type = layer_type;
      layer.size = layers[i].size();
      layer.diff_id = digest::sha256(i == 0 ? "one" : "two").string();
      platform.layers.push_back(layer);
    }
    manifest += "]}";
    platform.manifest = {digest::sha256(manifest).string(),
                         "application/vnd.docker.distribution.manifest.v2+json", manifest.size()};
    platform.config = {digest::sha256(config).string(),
                       "application/vnd.docker.container.image.v1+json", config.size()};
    image.reference = "127.0.0.1:5000/team/app:1.0";
    image.registry = "127.0.0.1:5000";
    image.repository = "team/app";
    image.tag = "1.0";
    image.digest = platform.manifest.digest;
    image.media_type = platform.manifest.media_type;
    image.platforms.push_back(platform);
  }

  /// Every blob, as `DIR/sha256/HEX`.
  void write_blobs(const std::filesystem::path& directory) const {
    write_file(path_of(directory, manifest), manifest);
    write_file(path_of(directory, config), config);
    for (const std::string& layer : layers) write_file(path_of(directory, layer), layer);
  }
  static std::filesystem::path path_of(const std::filesystem::path& directory,
                                       const std::string& content) {
    return directory / "sha256" / digest::sha256(content).hex();
  }
};

}  // namespace hocker::assemble::testing
