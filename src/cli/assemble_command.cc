// hocker assemble: the archive hocker image would write, from a lockfile entry and blob files
// on disk, without any network (docs/spec.md §3.11). The library builds the image source; the
// archive writer is hocker image's own.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/progress_display.h"
#include "hocker/archive/image_archive.h"
#include "hocker/assemble/assemble.h"
#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"
#include "hocker/base/unique_fd.h"
#include "hocker/blob/sinks.h"
#include "hocker/lock/lockfile.h"
#include "hocker/ref/reference.h"
#include "hocker/rootfs/flatten.h"

namespace hocker::cli {
namespace {

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The layer files of `platform`, in manifest order, open for reading.
class OpenLayers {
 public:
  OpenLayers(const lock::LockedPlatform& platform, const assemble::BlobFiles& files) {
    for (std::size_t i = 0; i < platform.layers.size(); ++i) {
      const std::string& digest = platform.layers[i].digest;
      std::string path = files.locate(digest::Digest::parse(digest)).string();
      UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) {
        throw Error(ErrorKind::kLocalIo,
                    "blob " + digest + ": cannot open " + path + ": " + std::strerror(errno));
      }
      files_.push_back(
          {fd.get(), "layer " + std::to_string(i + 1) + " (" + digest.substr(0, 19) + "…)"});
      fds_.push_back(std::move(fd));
    }
  }
  const std::vector<rootfs::LayerFile>& files() const { return files_; }

 private:
  std::vector<UniqueFd> fds_;
  std::vector<rootfs::LayerFile> files_;
};

class AssembleCommand final : public Command {
 public:
  std::string name() const override { return "assemble"; }
  std::string description() const override {
    return "Write the tarball hocker image would, from a lockfile entry and local blob files "
           "(offline)";
  }
  void configure(CLI::App& app) override {
    app.add_option("LOCKFILE", lockfile_, "A lockfile written by hocker lock")->required();
    app.add_option("--image", image_,
                   "The locked image: its reference as written in the lockfile, or its index "
                   "from 0 (default: the first)")
        ->type_name("REF");
    app.add_option("--platform", platform_,
                   "os/arch[/variant] to assemble (default: the only one locked, else the host's)");
    auto* blobs =
        app.add_option("--blobs", blobs_, "Folder of blob files named DIR/sha256/HEX or DIR/HEX")
            ->type_name("DIR");
    auto* blob = app.add_option("--blob", blob_files_,
                                "A blob file whose name ends with its hex digest (repeatable)")
                     ->type_name("FILE");
    blobs->excludes(blob);
    app.add_option("--format", format_,
                   "docker (default: docker-archive, layers decompressed), "
                   "oci (OCI layout + manifest.json, blobs as sent), "
                   "or rootfs (the root filesystem, as hocker export writes it)")
        ->check(CLI::IsMember({"docker", "oci", "rootfs"}));
    app.add_option("--tag", tag_, "NAME:TAG recorded for docker load (default: the reference)");
    app.add_option("-j,--jobs", jobs_, "Layers written concurrently")->check(CLI::Range(1, 64));
    app.add_flag("-q,--quiet", quiet_, "No progress output");
    app.add_option("-o,--out", out_, "Write to PATH (atomically) and print PATH; '-' is stdout")
        ->type_name("PATH")
        ->required();
  }
  int run() override {
    if (blobs_.empty() && blob_files_.empty()) {
      throw Error(ErrorKind::kUsage, "name the blob files: --blobs DIR or --blob FILE...");
    }
    if (!tag_.empty() && format_ == "rootfs") {
      throw Error(ErrorKind::kUsage, "--tag names an image: a root filesystem has no name");
    }
    if (!tag_.empty()) ref::Reference::parse(tag_);  // A bad --tag fails before any read.
    lock::Lockfile lockfile = lock::read_lockfile(lockfile_);
    const lock::LockedImage& image = assemble::select_image(lockfile, image_);
    std::optional<image::Platform> wanted;
    if (!platform_.empty()) wanted = image::Platform::parse(platform_);
    const lock::LockedPlatform& platform = assemble::select_platform(image, wanted);
    bool to_stdout = out_ == "-";
    std::optional<AtomicFile> file;
    if (!to_stdout) file.emplace(out_);
    // Bytes sent to a stream cannot be taken back: check every layer before the first one.
    bool streams = to_stdout || file->writes_through();
    if (format_ == "rootfs") return write_rootfs(image, platform, file);
    archive::ImageSource source = assemble::make_source(
        image, platform, blob_files(), tag_.empty() ? std::nullopt : std::optional(tag_),
        streams ? assemble::VerifyLayers::kUpFront : assemble::VerifyLayers::kWhileWriting);
    auto display = make_progress_display(choose_progress_style(quiet_));
    archive::WriteOptions options = write_options(display.get());
    if (streams) {
      archive::ArchiveOutput output(to_stdout ? STDOUT_FILENO : file->fd(),
                                    to_stdout ? "standard output" : out_);
      archive::write_image_archive(source, options, output);
      if (file) file->commit();
      display->finish();
      return 0;
    }
    archive::ArchiveOutput output(*file);
    archive::write_image_archive(source, options, output);
    file->commit();
    display->finish();
    announce_output(*file);
    return 0;
  }

 private:
  // The flattened root filesystem of the locked layers, every blob verified against the lock
  // first (the flattening reads each layer twice and checks no digest itself).
  int write_rootfs(const lock::LockedImage& image, const lock::LockedPlatform& platform,
                   std::optional<AtomicFile>& file) const {
    assemble::BlobFiles files = blob_files();
    assemble::make_source(image, platform, files, std::nullopt, assemble::VerifyLayers::kUpFront);
    OpenLayers layers(platform, files);
    if (!file || file->writes_through()) {
      blob::FdSink sink(file ? file->fd() : STDOUT_FILENO, file ? out_ : "standard output");
      rootfs::write_rootfs_tar(layers.files(), sink);
      if (file) file->commit();
      return 0;
    }
    rootfs::write_rootfs_tar(layers.files(), *file);
    file->commit();
    announce_output(*file);
    return 0;
  }
  assemble::BlobFiles blob_files() const {
    if (!blobs_.empty()) return assemble::BlobFiles::in_directory(blobs_);
    return assemble::BlobFiles::listed({blob_files_.begin(), blob_files_.end()});
  }
  archive::WriteOptions write_options(ProgressObserver* progress) const {
    archive::WriteOptions options;
    options.format = format_ == "oci" ? archive::Format::kOci : archive::Format::kDocker;
    options.jobs = jobs_;
    options.gzip = ends_with(out_, ".gz");
    options.progress = progress;
    return options;
  }

  std::string lockfile_;
  std::string image_;
  std::string platform_;
  std::string blobs_;
  std::vector<std::string> blob_files_;
  std::string format_ = "docker";
  std::string tag_;
  int jobs_ = 0;
  bool quiet_ = false;
  std::string out_;
};

}  // namespace

std::unique_ptr<Command> make_assemble_command() {
  return std::make_unique<AssembleCommand>();
}

}  // namespace hocker::cli
