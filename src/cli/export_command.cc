// hocker export: an image's root filesystem, its layers flattened by the OCI image spec's rules,
// as one tar or unpacked into a directory (docs/spec.md §8). The layers are downloaded and
// verified into spool files first; the rootfs module does the flattening.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <optional>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/report.h"
#include "hocker/archive/image_archive.h"
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

constexpr int kDefaultJobs = archive::kDefaultJobs;

// Holds back what `next` throws until finish(): a corrupted blob is reported by the digest check
// that runs before finish() reaches here ("digest mismatch"), not by whatever the decompressor
// made of the damaged bytes.
class DeferredFailureSink final : public ByteSink {
 public:
  explicit DeferredFailureSink(ByteSink& next) : next_(next) {}
  void write(Bytes data) override {
    if (failure_) return;
    try {
      next_.write(data);
    } catch (const Error&) {
      failure_ = std::current_exception();
    }
  }
  void finish() override {
    if (failure_) std::rethrow_exception(failure_);
    next_.finish();
  }

 private:
  ByteSink& next_;
  std::exception_ptr failure_;
};

// The layers of the image, verified (digest and size) as they stream in, then decompressed
// (ISA-L, zstd) and checked against the config's diff_ids in the same pass, each kept as its
// plain tar in an unlinked spool file. The temporary space is the uncompressed size of the
// image; in exchange, the flattener's two passes never decompress: the first seeks from header
// to header, the second reads the surviving data.
class SpooledLayers {
 public:
  SpooledLayers(const pull::ImagePull& pull, const image::ImageConfig& config,
                cache::BlobCache* cache, int jobs) {
    const auto& layers = pull.manifest().layers();
    const auto& diff_ids = config.diff_ids();
    if (diff_ids.size() != layers.size()) {
      throw Error(ErrorKind::kFormat, "the config lists " + std::to_string(diff_ids.size()) +
                                          " diff_ids for " + std::to_string(layers.size()) +
                                          " layers");
    }
    std::string directory = archive::spool_directory("");
    for (std::size_t i = 0; i < layers.size(); ++i) {
      spools_.push_back(std::make_unique<archive::SpoolFile>(directory));
      files_.push_back({spools_.back()->fd(), "layer " + std::to_string(i + 1) + " (" +
                                                  layers[i].digest.string().substr(0, 19) + "…)"});
    }
    archive::StopFlag stop{false};
    archive::run_in_parallel(layers.size(), jobs, stop, [&](std::size_t i) {
      std::string subject = "layer " + layers[i].digest.string();
      blob::DigestTee uncompressed(*spools_[i]);
      auto decompress = blob::make_decompressor(subject, uncompressed, blob::GzipCrc::kSkip);
      DeferredFailureSink deferred(*decompress);
      blob::VerifySink verify(subject, layers[i].digest, layers[i].size, deferred);
      archive::StopCheckSink checked(stop, verify);
      pull.fetch_blob(layers[i], checked, cache, pull::ForeignLayers::kRefuse);
      verify.finish();
      digest::Digest diff_id = uncompressed.digest();
      if (diff_id != diff_ids[i]) {
        throw Error(ErrorKind::kIntegrity, subject + ": diff_id mismatch: the config lists " +
                                               diff_ids[i].string() +
                                               ", the uncompressed layer is " + diff_id.string());
      }
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
    image::ImageConfig config = pull.fetch_config(cache.get());  // checks the platform asked for
    SpooledLayers layers(pull, config, cache.get(), jobs_);
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
