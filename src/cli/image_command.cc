// hocker image: the whole image assembled into one tarball that docker load, podman load and
// skopeo accept (docs/spec.md §3.3, §3.4). The library does the work; this file picks the output
// and names.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>

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
#include "hocker/pull/image_bundle.h"
#include "hocker/pull/image_pull.h"

namespace hocker::cli {
namespace {

// HOCKER_IN_PLACE_MIN_BYTES: from how many bytes of compressed layers the docker format reads
// layer sizes ahead to write every layer in place (archive::WriteOptions::in_place_min_bytes).
std::int64_t in_place_min_bytes() {
  const char* value = std::getenv("HOCKER_IN_PLACE_MIN_BYTES");
  if (value == nullptr || *value == '\0') return archive::kInPlaceMinBytes;
  std::string_view text(value);
  std::int64_t bytes = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
  if (error != std::errc() || end != text.data() + text.size() || bytes < 0) {
    throw Error(ErrorKind::kUsage, "HOCKER_IN_PLACE_MIN_BYTES must be a number of bytes, not '" +
                                       std::string(text) + "'");
  }
  return bytes;
}

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

// Every image of the archive, each platform a source, with what they borrow.
struct Bundle {
  std::vector<std::unique_ptr<pull::Sources>> origins;  // Each image's mirrors and registry.
  std::vector<std::vector<std::unique_ptr<pull::ImagePull>>> pulls;
  std::vector<std::unique_ptr<pull::PlatformDownloads>> downloads;
  std::vector<archive::ImageSource> sources;
  int jobs = 0;
};

class ImageCommand final : public Command {
 public:
  std::string name() const override { return "image"; }
  std::string description() const override {
    return "Fetch a whole image into a tarball for docker load / podman load / skopeo";
  }
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kYes);
    app.get_option("IMAGE")
        ->expected(1, CLI::detail::expected_max_vector_size)
        ->description(
            "References (ghcr.io/org/app:1.2 …), all put in one archive; or IMAGE-NAME "
            "IMAGE-TAG (classic form)");
    // Several platforms here, where the other commands take one.
    app.remove_option(app.get_option("--platform"));
    auto* platform = app.add_option("--platform", platforms_,
                                    "os/arch[/variant] to take of each image, comma-separated or "
                                    "repeated (default: host)")
                         ->delimiter(',')
                         ->allow_extra_args(false);  // One value per --platform: IMAGE follows.
    app.add_flag("--all-platforms", all_platforms_, "Take every platform of each image's index")
        ->excludes(platform);
    app.add_flag("--preserve-digests", preserve_digests_,
                 "--format oci: keep manifests and indexes as the registry sent them, docker "
                 "media types included (strict OCI tools may then ignore them)");
    app.add_option(
           "--format", format_,
           "docker (default: docker-archive, layers decompressed) "
           "or oci (OCI image layout with OCI media types, plus manifest.json; blobs as sent)")
        ->check(CLI::IsMember({"docker", "oci"}));
    app.add_option("--tag", tag_,
                   "NAME:TAG recorded for docker load (default: the reference; one image only)");
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
    std::vector<ref::Reference> references = references_from(options_, invocation());
    check_usage(references);
    std::optional<AtomicFile> file;  // So does an output directory that cannot take the file.
    if (!to_stdout) file.emplace(options_.out);
    if (json_ && file->writes_through()) {
      throw Error(ErrorKind::kUsage, "--json needs --out FILE: a device or FIFO takes no summary");
    }
    auto cache = pull::open_cache(options_.cache);
    Bundle bundle = start_downloads(references, cache.get());
    std::optional<ImageWriteSummary> summary;
    if (json_) summary = describe(bundle, references);
    auto display = make_progress_display(choose_progress_style(options_.quiet));
    archive::WriteOptions write_options = write_options_for(bundle.jobs, display.get());
    if (to_stdout || file->writes_through()) {  // A device or FIFO streams like stdout.
      archive::ArchiveOutput output(to_stdout ? STDOUT_FILENO : file->fd(),
                                    to_stdout ? "standard output" : options_.out);
      archive::write_archive(bundle.sources, write_options, output);
      if (file) file->commit();
      display->finish();
      report_sources(bundle.origins, options_.quiet);
      return 0;
    }
    archive::ArchiveOutput output(*file);
    archive::write_archive(bundle.sources, write_options, output);
    file->commit();
    display->finish();
    report_sources(bundle.origins, options_.quiet);
    if (summary) {
      summary->sources = total_counts(bundle.origins);
      print_image_write_json(std::move(*summary));
      return 0;
    }
    announce_output(*file);
    return 0;
  }

 private:
  ImageWriteSummary describe(const Bundle& bundle,
                             const std::vector<ref::Reference>& references) const {
    std::vector<WrittenImage> images;
    std::size_t source = 0;
    for (std::size_t r = 0; r < references.size(); ++r) {
      for (const auto& pull : bundle.pulls[r]) {
        images.push_back(describe_written_image(references[r], pull->resolved(),
                                                bundle.sources[source++].config));
      }
    }
    ImageWriteSummary summary =
        describe_image_write(references.front(), bundle.pulls.front().front()->resolved(),
                             bundle.sources.front().config, options_.out, format_);
    summary.images = std::move(images);
    return summary;
  }
  // What can be refused before any download.
  void check_usage(const std::vector<ref::Reference>& references) const {
    if (!tag_.empty() && references.size() > 1) {
      throw Error(ErrorKind::kUsage, "--tag names one image: it cannot be used with " +
                                         std::to_string(references.size()) + " references");
    }
    if (!tag_.empty()) ref::Reference::parse(tag_);  // A bad --tag fails before any download.
    if (preserve_digests_ && format_ != "oci") {
      throw Error(ErrorKind::kUsage, "--preserve-digests applies to --format oci only");
    }
  }
  pull::PlatformSelection platform_selection() const {
    pull::PlatformSelection selection;
    for (const std::string& text : platforms_) {
      selection.platforms.push_back(image::Platform::parse(text));
    }
    selection.all = all_platforms_;
    return selection;
  }
  // Resolves every reference for the platforms asked and starts their downloads, each blob
  // shared between them claimed by the first image that has it.
  Bundle start_downloads(const std::vector<ref::Reference>& references, cache::BlobCache* cache) {
    pull::PlatformSelection selection = platform_selection();
    Bundle bundle;
    std::set<std::string> claimed;
    // Config and layers go concurrently: a second connection opened during the token fetch.
    options_.warm_connection = jobs_ != 1;
    for (const ref::Reference& reference : references) {
      bundle.origins.push_back(make_sources(options_, reference));
      bundle.pulls.push_back(pull::pull_platforms(*bundle.origins.back(), reference, selection));
      bundle.downloads.push_back(std::make_unique<pull::PlatformDownloads>(
          bundle.pulls.back(), selection.all, download_options(cache), claimed));
      const auto& sources = bundle.downloads.back()->sources();
      bundle.sources.insert(bundle.sources.end(), sources.begin(), sources.end());
      bundle.jobs = bundle.downloads.back()->jobs();
    }
    return bundle;
  }
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
    write_options.in_place_min_bytes = in_place_min_bytes();
    write_options.manifest_digests = preserve_digests_ ? archive::ManifestDigests::kPreserve
                                                       : archive::ManifestDigests::kReencode;
    return write_options;
  }

  FetchOptions options_;
  std::string format_ = "docker";
  std::string tag_;
  std::vector<std::string> platforms_;
  bool all_platforms_ = false;
  bool preserve_digests_ = false;
  int jobs_ = 0;
  bool allow_foreign_ = false;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_image_command() {
  return std::make_unique<ImageCommand>();
}

}  // namespace hocker::cli
