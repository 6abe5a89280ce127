// Helpers for the archive unit tests: synthetic images built in memory (layer tars written with
// TarWriter, gzip-compressed), an in-memory blob fetcher, a minimal tar reader, and archives
// written to a file or a stream and read back.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "hocker/archive/image_archive.h"
#include "hocker/archive/tar_writer.h"
#include "hocker/blob/sinks.h"
#include "hocker/image/media_types.h"

namespace hocker::archive::testing {

inline Bytes bytes_of(std::string_view text) {
  return as_bytes(text.data(), text.size());
}

/// A layer tar of one file holding `size` pseudo-random, compressible bytes.
inline std::string layer_tar(unsigned seed, std::size_t size) {
  std::mt19937 random(seed);
  std::string content(size, '\0');
  for (char& c : content) c = static_cast<char>('a' + random() % 4);
  blob::StringSink out;
  TarWriter writer(out);
  writer.add_directory("etc/");
  writer.add_file("etc/file" + std::to_string(seed), content);
  writer.finish();
  return out.data();
}

inline std::string gzip(std::string_view data) {
  blob::StringSink out;
  auto compressor = blob::make_gzip_compressor(out, 1);
  compressor->write(bytes_of(data));
  compressor->finish();
  return out.data();
}

/// One layer: its content, the blob as stored, and the digests of both.
struct TestLayer {
  std::string tar;
  std::string blob;
  std::string media_type = std::string(image::media_type::kDockerLayerGzip);
};

inline TestLayer gzip_layer(unsigned seed, std::size_t size) {
  TestLayer layer;
  layer.tar = layer_tar(seed, size);
  layer.blob = gzip(layer.tar);
  return layer;
}

/// A synthetic image; tweak the fields, then call source().
struct TestImage {
  std::vector<TestLayer> layers;
  std::string manifest_media_type = std::string(image::media_type::kDockerManifest);
  std::string config_media_type = std::string(image::media_type::kDockerConfig);
  /// Overrides the computed diff_ids when set.
  std::optional<std::vector<std::string>> diff_ids;
  /// Extra fields for each layer descriptor, e.g. ,"urls":["…"].
  std::string layer_extra;
  /// Blobs the fetcher serves, by digest; filled by source() (tests may corrupt them after).
  std::map<std::string, std::string> blobs;
  std::size_t chunk = 10'000;
  std::string architecture = "amd64";
  /// Blob digests the fetcher was asked for, in order (all images of a test may share it).
  std::shared_ptr<std::vector<std::string>> fetched = std::make_shared<std::vector<std::string>>();

  std::string config_json() const {
    nlohmann::json ids = nlohmann::json::array();
    if (diff_ids) {
      for (const auto& id : *diff_ids) ids.push_back(id);
    } else {
      for (const auto& layer : layers) ids.push_back(digest::sha256(layer.tar).string());
    }
    nlohmann::json config = {{"architecture", architecture},
                             {"os", "linux"},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", ids}}}};
    return config.dump();
  }

  std::string manifest_json(const std::string& config) const {
    std::string json = R"({"schemaVersion":2,"mediaType":")" + manifest_media_type +
                       R"(","config":{"mediaType":")" + config_media_type + R"(","digest":")" +
                       digest::sha256(config).string() + R"(","size":)" +
                       std::to_string(config.size()) + R"(},"layers":[)";
    for (std::size_t i = 0; i < layers.size(); ++i) {
      if (i > 0) json += ",";
      json += R"({"mediaType":")" + layers[i].media_type + R"(","digest":")" +
              digest::sha256(layers[i].blob).string() + R"(","size":)" +
              std::to_string(layers[i].blob.size()) + layer_extra + "}";
    }
    return json + "]}";
  }

  ImageSource source() {
    std::string config = config_json();
    for (const auto& layer : layers) blobs[digest::sha256(layer.blob).string()] = layer.blob;
    ImageSource source{image::Manifest::parse(manifest_json(config)),
                       image::ImageConfig::parse(config),
                       {"example.com:5000/team/app:1.0"},
                       "1.0",
                       "example.com:5000/team/app:1.0",
                       {}};
    source.fetch = [this](const image::Descriptor& blob, ByteSink& sink) {
      {
        static std::mutex mutex;
        std::lock_guard lock(mutex);
        fetched->push_back(blob.digest.string());
      }
      const std::string& data = blobs.at(blob.digest.string());
      for (std::size_t at = 0; at < data.size(); at += chunk) {
        sink.write(bytes_of(std::string_view(data).substr(at, chunk)));
      }
    };
    return source;
  }
};

/// One entry read back from a tar.
struct TarEntry {
  std::string name;
  char type = '0';
  unsigned mode = 0;
  std::string content;
};

inline std::uint64_t parse_octal(std::string_view field) {
  std::uint64_t value = 0;
  for (char c : field) {
    if (c < '0' || c > '7') break;
    value = value * 8 + static_cast<unsigned>(c - '0');
  }
  return value;
}

/// Parses a ustar archive; fails the test on anything malformed.
inline std::vector<TarEntry> read_tar(const std::string& archive) {
  std::vector<TarEntry> entries;
  std::size_t at = 0;
  for (;;) {
    EXPECT_LE(at + 512, archive.size()) << "archive ends without a trailer";
    if (at + 512 > archive.size()) return entries;
    std::string_view header(archive.data() + at, 512);
    if (header == std::string(512, '\0')) break;
    TarEntry entry;
    std::string_view prefix = header.substr(345, 155);
    prefix = prefix.substr(0, prefix.find('\0'));
    std::string_view name = header.substr(0, 100);
    entry.name = (prefix.empty() ? "" : std::string(prefix) + "/") +
                 std::string(name.substr(0, name.find('\0')));
    entry.type = header[156];
    entry.mode = static_cast<unsigned>(parse_octal(header.substr(100, 8)));
    std::size_t size = parse_octal(header.substr(124, 12));
    entry.content = archive.substr(at + 512, size);
    at += 512 + size + (512 - size % 512) % 512;
    entries.push_back(std::move(entry));
  }
  EXPECT_EQ(archive.substr(at), std::string(1024, '\0'));
  return entries;
}

inline std::string read_file(const std::string& path) {
  std::string data;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return data;
  char buffer[65536];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) data.append(buffer, got);
  std::fclose(file);
  return data;
}

/// A fresh directory under the test temp dir, removed by the destructor.
struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = ::testing::TempDir() + "hocker-archive-XXXXXX";
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

/// What `write` writes to an ArchiveOutput on a file that is then committed, read back.
inline std::string written_to_file(const std::function<void(ArchiveOutput&)>& write) {
  TempDir directory;
  std::string path = directory.path + "/archive.tar";
  AtomicFile file(path);
  ArchiveOutput output(file);
  write(output);
  file.commit();
  return read_file(path);
}

/// What `write` writes to an ArchiveOutput on the descriptor of a temporary file, read back.
inline std::string written_to_stream(const std::function<void(ArchiveOutput&)>& write) {
  std::FILE* file = std::tmpfile();
  ArchiveOutput output(fileno(file), "temporary stream");
  write(output);
  std::rewind(file);
  std::string data;
  char buffer[65536];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) data.append(buffer, got);
  std::fclose(file);
  return data;
}

}  // namespace hocker::archive::testing
