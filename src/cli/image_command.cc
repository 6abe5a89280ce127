// hocker image: the whole image assembled into one tarball that docker load, podman load and
// skopeo accept (docs/spec.md §3.3, §3.4). The library does the work; this file picks the output
// and names.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <optional>

#include "cli/command.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress_display.h"
#include "cli/source_summary.h"
#include "hocker/archive/image_archive.h"
#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/pull/image_pull.h"

namespace hocker::cli {
namespace {

// Whether the tarball goes to stdout: "-", or no --out with stdout not a terminal.
bool writes_to_stdout(const std::string& out) {
  if (!out.empty()) return out == "-";
  if (isatty(STDOUT_FILENO)) {
    throw Error(
        ErrorKind::kUsage,
        "refusing to write a tarball to a terminal: use --out FILE (or -o - | docker load)");
  }
  return true;
}

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class ImageCommand final : public Command {
 public:
  std::string name() const override { return "image"; }
  std::string description() const override {
    return "Fetch a whole image into a tarball for docker load / podman load / skopeo";
  }
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kYes);
    app.add_option("--format", format_,
                   "docker (default: docker-archive, layers decompressed) "
                   "or oci (OCI layout + manifest.json, blobs as sent)")
        ->check(CLI::IsMember({"docker", "oci"}));
    app.add_option("--tag", tag_, "NAME:TAG recorded for docker load (default: the reference)");
    app.add_flag("--allow-foreign-layers", allow_foreign_,
                 "Fetch foreign (nondistributable) layers from the URLs their manifest names");
    app.add_option("-j,--jobs", jobs_, "Concurrent layer downloads")->check(CLI::Range(1, 64));
    app.add_flag("--json", json_, "After writing --out FILE, print a JSON summary on stdout");
  }
  int run() override {
    bool to_stdout = writes_to_stdout(options_.out);
    if (json_ && to_stdout) {
      throw Error(ErrorKind::kUsage, "--json needs --out FILE: stdout carries the tarball");
    }
    ref::Reference reference = reference_from(options_);
    if (!tag_.empty()) ref::Reference::parse(tag_);  // A bad --tag fails before any download.
    std::optional<AtomicFile> file;  // So does an output directory that cannot take the file.
    if (!to_stdout) file.emplace(options_.out);
    if (json_ && file->writes_through()) {
      throw Error(ErrorKind::kUsage, "--json needs --out FILE: a device or FIFO takes no summary");
    }
    auto sources = make_sources(options_, reference);
    pull::ImagePull pull(*sources, reference, requested_platform(options_));
    auto cache = pull::open_cache(options_.cache);
    pull::ImageDownload download(pull, download_options(cache.get()));
    std::optional<ImageWriteSummary> summary;
    if (json_) {
      summary = describe_image_write(reference, pull.resolved(), download.source().config,
                                     options_.out, format_);
    }
    auto display = make_progress_display(choose_progress_style(options_.quiet));
    archive::WriteOptions write_options = write_options_for(download.jobs(), display.get());
    if (to_stdout || file->writes_through()) {  // A device or FIFO streams like stdout.
      archive::ArchiveOutput output(to_stdout ? STDOUT_FILENO : file->fd(),
                                    to_stdout ? "standard output" : options_.out);
      archive::write_image_archive(download.source(), write_options, output);
      if (file) file->commit();
      display->finish();
      report_sources(*sources, options_.quiet);
      return 0;
    }
    archive::ArchiveOutput output(*file);
    archive::write_image_archive(download.source(), write_options, output);
    file->commit();
    display->finish();
    report_sources(*sources, options_.quiet);
    if (summary) {
      summary->sources = sources->counts();
      print_image_write_json(std::move(*summary));
      return 0;
    }
    announce_output(*file);
    return 0;
  }

 private:
  pull::DownloadOptions download_options(cache::BlobCache* cache) const {
    pull::DownloadOptions download;
    download.cache = cache;
    download.jobs = jobs_;
    download.foreign_layers =
        allow_foreign_ ? pull::ForeignLayers::kFetch : pull::ForeignLayers::kRefuse;
    if (!tag_.empty()) download.tag = tag_;
    return download;
  }
  archive::WriteOptions write_options_for(int jobs, ProgressObserver* progress) const {
    archive::WriteOptions write_options;
    write_options.format = format_ == "oci" ? archive::Format::kOci : archive::Format::kDocker;
    write_options.jobs = jobs;
    write_options.gzip = ends_with(options_.out, ".gz");
    write_options.progress = progress;
    return write_options;
  }

  FetchOptions options_;
  std::string format_ = "docker";
  std::string tag_;
  int jobs_ = 0;
  bool allow_foreign_ = false;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_image_command() {
  return std::make_unique<ImageCommand>();
}

}  // namespace hocker::cli
