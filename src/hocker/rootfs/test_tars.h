// Helpers for the rootfs unit tests: layers built in memory with libarchive's writer (the
// real encoder, not ours), held in anonymous files, flattened, and the output read back as a
// listing.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "hocker/base/test_support.h"
#include "hocker/base/unique_fd.h"
#include "hocker/rootfs/flatten.h"
#include "hocker/rootfs/layer_file.h"
#include "hocker/rootfs/locale_scope.h"

namespace hocker::rootfs::testing {

/// One entry of a test layer. type: 'f' file, 'd' directory, 'l' symlink, 'h' hard link,
/// 'c' character device, 'p' FIFO.
struct TarEntry {
  std::string path;
  char type = 'f';
  std::string content;  ///< file data
  std::string link;     ///< symlink or hard link target
  int mode = 0644;
  int uid = 0;
  int gid = 0;
  std::string uname;
  long mtime = 1000;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

/// An entry of `type` at `path`, the other fields at their defaults.
inline TarEntry entry(std::string path, char type) {
  TarEntry made;
  made.path = std::move(path);
  made.type = type;
  return made;
}
inline TarEntry file(std::string path, std::string content = "x") {
  TarEntry made = entry(std::move(path), 'f');
  made.content = std::move(content);
  return made;
}
inline TarEntry dir(std::string path, int mode = 0755) {
  TarEntry made = entry(std::move(path), 'd');
  made.mode = mode;
  return made;
}
inline TarEntry symlink(std::string path, std::string target) {
  TarEntry made = entry(std::move(path), 'l');
  made.link = std::move(target);
  made.mode = 0777;
  return made;
}
inline TarEntry hardlink(std::string path, std::string target) {
  TarEntry made = entry(std::move(path), 'h');
  made.link = std::move(target);
  return made;
}

/// A tar of `entries`, compressed with `filter` ("" none, "gzip", "zstd").
inline std::string make_tar(const std::vector<TarEntry>& entries, const std::string& filter = "") {
  LocaleScope utf8;
  std::string out;
  archive* writer = archive_write_new();
  archive_write_set_format_pax_restricted(writer);
  if (filter == "gzip") archive_write_add_filter_gzip(writer);
  if (filter == "zstd") archive_write_add_filter_zstd(writer);
  archive_write_set_bytes_in_last_block(writer, 1);
  auto write = [](archive*, void* data, const void* buffer, size_t size) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
    return static_cast<la_ssize_t>(size);
  };
  archive_write_open2(writer, &out, nullptr, write, nullptr, nullptr);
  for (const TarEntry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    mode_t type = e.type == 'd'   ? AE_IFDIR
                  : e.type == 'l' ? AE_IFLNK
                  : e.type == 'c' ? AE_IFCHR
                  : e.type == 'p' ? AE_IFIFO
                                  : AE_IFREG;
    archive_entry_set_filetype(entry, type);
    archive_entry_set_perm(entry, static_cast<mode_t>(e.mode));
    archive_entry_set_uid(entry, e.uid);
    archive_entry_set_gid(entry, e.gid);
    if (!e.uname.empty()) archive_entry_set_uname(entry, e.uname.c_str());
    archive_entry_set_mtime(entry, e.mtime, 0);
    if (e.type == 'l') archive_entry_set_symlink(entry, e.link.c_str());
    if (e.type == 'h') archive_entry_set_hardlink(entry, e.link.c_str());
    if (e.type == 'c') archive_entry_set_rdev(entry, makedev(1, 3));
    for (const auto& [name, value] : e.xattrs) {
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
    }
    if (e.type == 'f') archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    archive_write_header(writer, entry);
    if (e.type == 'f') archive_write_data(writer, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
  return out;
}

/// A layer held in an anonymous file.
class Layer {
 public:
  explicit Layer(const std::string& bytes, std::string name = "layer")
      : fd_(::memfd_create("layer", MFD_CLOEXEC)), name_(std::move(name)) {
    EXPECT_EQ(::write(fd_.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  LayerFile file() const { return {fd_.get(), name_}; }

 private:
  UniqueFd fd_;
  std::string name_;
};

/// Layers "layer 1", "layer 2", ... holding `tars` in order, and the files that view them.
class LayerStack {
 public:
  explicit LayerStack(const std::vector<std::string>& tars) {
    layers_.reserve(tars.size());
    for (std::size_t i = 0; i < tars.size(); ++i) {
      layers_.emplace_back(tars[i], "layer " + std::to_string(i + 1));
    }
    for (const Layer& layer : layers_) files_.push_back(layer.file());
  }
  const std::vector<LayerFile>& files() const { return files_; }

 private:
  std::vector<Layer> layers_;
  std::vector<LayerFile> files_;
};

/// One tar a layer, each of `layers` written by make_tar.
inline std::vector<std::string> make_tars(const std::vector<std::vector<TarEntry>>& layers) {
  std::vector<std::string> tars;
  tars.reserve(layers.size());
  for (const auto& layer : layers) tars.push_back(make_tar(layer));
  return tars;
}

/// The rootfs tar that write_rootfs_tar makes of `tars`; expects the sink finished.
inline std::string flatten_tars(const std::vector<std::string>& tars) {
  LayerStack stack(tars);
  test_support::StringSink sink;
  write_rootfs_tar(stack.files(), sink);
  EXPECT_TRUE(sink.finished);
  return sink.text;
}

/// One entry of a flattened tar, as the tests compare it.
struct Listed {
  std::string path;
  char type;
  std::string content_or_link;
  int mode;
  bool operator==(const Listed&) const = default;
};

inline std::ostream& operator<<(std::ostream& out, const Listed& listed) {
  return out << listed.path << " " << listed.type << " '" << listed.content_or_link << "' "
             << std::oct << listed.mode << std::dec;
}

/// The entries of `tar` in order: path, type ('h' for a hard link), content or link, mode.
inline std::vector<Listed> list_tar(const std::string& tar) {
  LocaleScope utf8;
  std::vector<Listed> listed;
  archive* reader = archive_read_new();
  archive_read_support_format_tar(reader);
  archive_read_open_memory(reader, tar.data(), tar.size());
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    Listed item{archive_entry_pathname(entry), 'f', "",
                static_cast<int>(archive_entry_perm(entry))};
    if (const char* target = archive_entry_hardlink(entry)) {
      item.type = 'h';
      item.content_or_link = target;
    } else if (archive_entry_filetype(entry) == AE_IFDIR) {
      item.type = 'd';
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      item.type = 'l';
      item.content_or_link = archive_entry_symlink(entry);
    } else {
      std::string data(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
      archive_read_data(reader, data.data(), data.size());
      item.content_or_link = data;
    }
    listed.push_back(item);
  }
  archive_read_free(reader);
  return listed;
}

/// The listing of the rootfs tar flattened from one tar a layer of `layers`.
inline std::vector<Listed> flatten_layers(const std::vector<std::vector<TarEntry>>& layers) {
  return list_tar(flatten_tars(make_tars(layers)));
}

}  // namespace hocker::rootfs::testing
