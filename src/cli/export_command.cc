// hocker export: an image's root filesystem, its layers flattened by the OCI image spec's rules,
// as one tar or unpacked into a directory (docs/spec.md §8). The layers are downloaded and
// verified into spool files first; the rootfs module does the flattening.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <optional>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/report.h"
#include "hocker/archive/scheduler.h"
#include "hocker/archive/spool_file.h"
#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"
#include "hocker/blob/sinks.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/pull/image_pull.h"
#include "hocker/rootfs/flatten.h"
#include "hocker/rootfs/unpack.h"

namespace hocker::cli {
namespace {

constexpr int kDefaultJobs = 3;

// The layers of the image, verified (digest and size), each in an unlinked spool file: the
// temporary space is the compressed size of the image.
class SpooledLayers {
 public:
  SpooledLayers(const pull::ImagePull& pull, cache::BlobCache* cache, int jobs) {
    const auto& layers = pull.manifest().layers();
    std::string directory = archive::spool_directory("");
    for (std::size_t i = 0; i < layers.size(); ++i) {
      spools_.push_back(std::make_unique<archive::SpoolFile>(directory));
      files_.push_back({spools_.back()->fd(), "layer " + std::to_string(i + 1) + " (" +
                                                  layers[i].digest.string().substr(0, 19) + "…)"});
    }
    archive::StopFlag stop{false};
    archive::run_in_parallel(layers.size(), jobs, stop, [&](std::size_t i) {
      blob::VerifySink verify("layer " + layers[i].digest.string(), layers[i].digest,
                              layers[i].size, *spools_[i]);
      archive::StopCheckSink checked(stop, verify);
      pull.fetch_blob(layers[i], checked, cache, pull::ForeignLayers::kRefuse);
      verify.finish();
    });
  }
  const std::vector<rootfs::LayerFile>& files() const { return files_; }

 private:
  std::vector<std::unique_ptr<archive::SpoolFile>> spools_;
  std::vector<rootfs::LayerFile> files_;
};

void warn_about_skipped(const rootfs::UnpackSummary& summary) {
  std::string skipped;
  auto add = [&](std::int64_t count, const char* what) {
    if (count == 0) return;
    skipped += (skipped.empty() ? "" : ", ") + std::to_string(count) + " " + what;
  };
  add(summary.ownership_skipped, "owners");
  add(summary.devices_skipped, "device nodes");
  add(summary.xattrs_skipped, "extended attributes");
  if (!skipped.empty()) warn("not applied (needs root or filesystem support): " + skipped);
}

class ExportCommand final : public Command {
 public:
  std::string name() const override { return "export"; }
  std::string description() const override {
    return "Write an image's root filesystem (its layers flattened) as one tar, or unpack it";
  }
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kYes);
    app.add_option("--unpack", unpack_,
                   "Unpack into DIR (missing or empty) instead of writing a tar; every path "
                   "stays beneath DIR")
        ->type_name("DIR");
    app.add_option("-j,--jobs", jobs_, "Concurrent layer downloads")->check(CLI::Range(1, 64));
  }
  int run() override {
    if (!unpack_.empty() && !options_.out.empty()) {
      throw Error(ErrorKind::kUsage, "--unpack and --out exclude each other");
    }
    bool to_stdout = unpack_.empty() && writes_to_stdout();
    ref::Reference reference = reference_from(options_);
    std::optional<AtomicFile> file;  // An output that cannot be written fails before downloads.
    if (unpack_.empty() && !to_stdout) file.emplace(options_.out);
    if (!unpack_.empty()) rootfs::check_unpack_directory(unpack_);
    auto client = make_client(options_, reference);
    pull::ImagePull pull(*client, reference, requested_platform(options_));
    auto cache = pull::open_cache(options_.cache);
    pull.fetch_config(cache.get());  // checks the platform asked for
    SpooledLayers layers(pull, cache.get(), jobs_);
    if (!unpack_.empty()) {
      warn_about_skipped(rootfs::unpack_rootfs(layers.files(), unpack_,
                                               rootfs::unpack_options_for_this_process()));
      return 0;
    }
    if (to_stdout) {
      blob::FdSink sink(STDOUT_FILENO, "standard output");
      rootfs::write_rootfs_tar(layers.files(), sink);
      return 0;
    }
    rootfs::write_rootfs_tar(layers.files(), *file);
    file->commit();
    announce_output(*file);
    return 0;
  }

 private:
  bool writes_to_stdout() const {
    if (!options_.out.empty()) return options_.out == "-";
    if (isatty(STDOUT_FILENO)) {
      throw Error(ErrorKind::kUsage,
                  "refusing to write a tarball to a terminal: use --out FILE or --unpack DIR");
    }
    return true;
  }

  FetchOptions options_;
  std::string unpack_;
  int jobs_ = kDefaultJobs;
};

}  // namespace

std::unique_ptr<Command> make_export_command() {
  return std::make_unique<ExportCommand>();
}

}  // namespace hocker::cli
