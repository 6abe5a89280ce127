#include "hocker/rootfs/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"
#include "hocker/rootfs/file_tree.h"
#include "hocker/rootfs/flatten.h"
#include "hocker/rootfs/layer_reader.h"
#include "hocker/rootfs/safe_open.h"

namespace hocker::rootfs {
namespace {

[[noreturn]] void fail_io(const std::string& what, int error_number) {
  throw Error(ErrorKind::kLocalIo, what + ": " + std::strerror(error_number));
}

struct SplitPath {
  std::string parent;
  std::string name;
};

SplitPath split(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

class DirectoryOutput final : public EntryConsumer {
 public:
  DirectoryOutput(std::string directory, const UnpackOptions& options)
      : directory_(std::move(directory)), options_(options), resolver_(options.resolver) {}

  void add(archive_entry* entry, LayerReader* data) override {
    open_root();
    std::string path = archive_entry_pathname(entry);
    SplitPath parts = split(path);
    UniqueFd parent = open_directory(parts.parent, path);
    if (const char* target = archive_entry_hardlink(entry)) {
      add_hardlink(target, parent.get(), parts.name, path);
      return;
    }
    switch (archive_entry_filetype(entry)) {
      case AE_IFDIR:
        if (::mkdirat(parent.get(), parts.name.c_str(), 0700) != 0) fail_io(where(path), errno);
        directories_.emplace_back(path, EntryPtr(archive_entry_clone(entry)));
        return;
      case AE_IFREG:
        add_file(entry, data, parent.get(), parts.name, path);
        return;
      case AE_IFLNK:
        if (::symlinkat(archive_entry_symlink(entry), parent.get(), parts.name.c_str()) != 0) {
          fail_io(where(path), errno);
        }
        apply_by_name(entry, parent.get(), parts.name, path);
        return;
      default:
        add_node(entry, parent.get(), parts.name, path);
    }
  }

  void finish() override {
    open_root();
    // Deepest first: a directory's time and a restrictive mode are set after its children.
    for (auto it = directories_.rbegin(); it != directories_.rend(); ++it) {
      UniqueFd fd = open_in_root(root_.get(), it->first, O_RDONLY | O_DIRECTORY, resolver_);
      if (!fd.valid()) refuse(it->first, errno);
      apply_by_fd(it->second.get(), fd.get(), it->first);
    }
  }

  UnpackSummary summary() const { return summary_; }

 private:
  std::string where(const std::string& path) const { return directory_ + "/" + path; }

  [[noreturn]] void refuse(const std::string& path, int error_number) const {
    if (error_number == ELOOP || error_number == EXDEV || error_number == ENOTDIR) {
      throw Error(ErrorKind::kFormat, "refusing entry " + path + " in " + directory_ + ": " +
                                          std::strerror(error_number) +
                                          " (it changed while being unpacked)");
    }
    fail_io(where(path), error_number);
  }

  void open_root() {
    if (root_.valid()) return;
    if (::mkdir(directory_.c_str(), 0755) != 0 && errno != EEXIST) fail_io(directory_, errno);
    root_.reset(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_.valid()) fail_io(directory_, errno);
  }

  UniqueFd open_directory(const std::string& path, const std::string& entry_path) {
    // Every component of a parent is resolved inside the root, its last one included.
    UniqueFd fd = open_in_root(root_.get(), path.empty() ? path : path + "/.", O_PATH | O_DIRECTORY,
                               resolver_);
    if (!fd.valid()) refuse(entry_path, errno);
    return fd;
  }

  void add_hardlink(const std::string& target, int parent, const std::string& name,
                    const std::string& path) {
    SplitPath target_parts = split(target);
    UniqueFd target_parent = open_directory(target_parts.parent, path);
    // linkat without AT_SYMLINK_FOLLOW links the entry itself, never what a symlink names.
    if (::linkat(target_parent.get(), target_parts.name.c_str(), parent, name.c_str(), 0) != 0) {
      refuse(path, errno);
    }
  }

  void add_file(archive_entry* entry, LayerReader* data, int parent, const std::string& name,
                const std::string& path) {
    UniqueFd fd(
        ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) refuse(path, errno);
    if (data != nullptr) {
      data->read_data([&](Bytes chunk) { write_all(fd.get(), chunk, where(path)); });
    }
    apply_by_fd(entry, fd.get(), path);
    if (fd.close() != 0) fail_io(where(path), errno);
  }

  void add_node(archive_entry* entry, int parent, const std::string& name,
                const std::string& path) {
    mode_t type = archive_entry_filetype(entry);
    if (type != AE_IFIFO && type != AE_IFCHR && type != AE_IFBLK) return;  // sockets: none
    if (type != AE_IFIFO && !options_.make_devices) {
      ++summary_.devices_skipped;
      return;
    }
    dev_t device = makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry));
    if (::mknodat(parent, name.c_str(), type | 0600, device) != 0) {
      if (errno != EPERM) refuse(path, errno);
      ++summary_.devices_skipped;
      return;
    }
    apply_by_name(entry, parent, name, path);
  }

  // Owner first: chown clears the setuid and setgid bits, so the mode comes after it.
  void apply_by_fd(archive_entry* entry, int fd, const std::string& path) {
    if (wants_owner(entry) &&
        ::fchown(fd, archive_entry_uid(entry), archive_entry_gid(entry)) != 0) {
      fail_io(where(path), errno);
    }
    if (::fchmod(fd, archive_entry_perm(entry)) != 0) fail_io(where(path), errno);
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    archive_entry_xattr_reset(entry);
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
      if (::fsetxattr(fd, name, value, size, 0) != 0) ++summary_.xattrs_skipped;
    }
    timespec times[2] = {mtime(entry), mtime(entry)};
    if (::futimens(fd, times) != 0) fail_io(where(path), errno);
  }

  // Symlinks and nodes, which cannot be opened for writing: by name in their (held) parent.
  void apply_by_name(archive_entry* entry, int parent, const std::string& name,
                     const std::string& path) {
    if (wants_owner(entry) && ::fchownat(parent, name.c_str(), archive_entry_uid(entry),
                                         archive_entry_gid(entry), AT_SYMLINK_NOFOLLOW) != 0) {
      fail_io(where(path), errno);
    }
    if (archive_entry_filetype(entry) != AE_IFLNK &&
        ::fchmodat(parent, name.c_str(), archive_entry_perm(entry), 0) != 0) {
      fail_io(where(path), errno);
    }
    timespec times[2] = {mtime(entry), mtime(entry)};
    if (::utimensat(parent, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      fail_io(where(path), errno);
    }
  }

  bool wants_owner(archive_entry* entry) {
    if (options_.apply_ownership) return true;
    if (archive_entry_uid(entry) != ::geteuid() || archive_entry_gid(entry) != ::getegid()) {
      ++summary_.ownership_skipped;
    }
    return false;
  }

  static timespec mtime(archive_entry* entry) {
    return {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
  }

  std::string directory_;
  UnpackOptions options_;
  Resolver resolver_;
  UniqueFd root_;
  std::vector<std::pair<std::string, EntryPtr>> directories_;
  UnpackSummary summary_;
};

}  // namespace

UnpackOptions unpack_options_for_this_process() {
  bool root = ::geteuid() == 0;
  UnpackOptions options;
  options.apply_ownership = options.make_devices = root;
  return options;
}

void check_unpack_directory(const std::string& directory) {
  DIR* listing = ::opendir(directory.c_str());
  if (listing == nullptr) {
    if (errno == ENOENT) return;
    fail_io("cannot unpack into " + directory, errno);
  }
  bool empty = true;
  while (dirent* item = ::readdir(listing)) {
    std::string_view name = item->d_name;
    if (name != "." && name != "..") empty = false;
  }
  ::closedir(listing);
  if (!empty) {
    throw Error(ErrorKind::kLocalIo,
                "cannot unpack into " + directory + ": not empty (unpacking never merges)");
  }
}

UnpackSummary unpack_rootfs(std::span<const LayerFile> layers, const std::string& directory,
                            const UnpackOptions& options) {
  check_unpack_directory(directory);
  DirectoryOutput output(directory, options);
  flatten(layers, output);
  return output.summary();
}

}  // namespace hocker::rootfs
