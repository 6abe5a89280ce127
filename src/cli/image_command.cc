// hocker image: the whole image assembled into one tarball that docker load, podman load and
// skopeo accept (docs/spec.md §3.3, §3.4). The library does the work; this file picks the output
// and names.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <optional>

#include "cli/blob_source.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress_display.h"
#include "hocker/archive/blob_prefetch.h"
#include "hocker/archive/image_archive.h"
#include "hocker/archive/spool_file.h"
#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"
#include "hocker/registry/resolve.h"

namespace hocker::cli {
namespace {

// The name `docker pull` would give the image, without any digest: "debian:jessie".
std::vector<std::string> repo_tags_for(const ref::Reference& reference, const std::string& tag) {
  if (!tag.empty()) return {tag};
  if (!reference.tag) return {};
  ref::Reference named = reference;
  named.digest.reset();
  return {named.familiar()};
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
  }
  int run() override {
    bool to_stdout = options_.out == "-";
    if (options_.out.empty()) {
      if (isatty(STDOUT_FILENO)) {
        throw Error(
            ErrorKind::kUsage,
            "refusing to write a tarball to a terminal: use --out FILE (or -o - | docker load)");
      }
      to_stdout = true;
    }
    ref::Reference reference = reference_from(options_);
    if (!tag_.empty()) ref::Reference::parse(tag_);  // A bad --tag fails before any download.
    std::optional<AtomicFile> file;  // So does an output directory that cannot take the file.
    if (!to_stdout) file.emplace(options_.out);
    auto client = make_client(options_, reference);
    registry::ResolvedImage resolved =
        registry::resolve_image(*client, reference, platform_from(options_));
    auto cache = open_cache(options_.cache);
    archive::BlobFetcher fetch_blob = [&client, &reference, &cache, this](
                                          const image::Descriptor& blob, ByteSink& sink) {
      if (allow_foreign_ && !blob.urls.empty()) {
        client->fetch_external_blob(blob, sink);  // Outside the registry: not cached.
        return;
      }
      fetch_blob_through_cache(*client, reference.repository, blob, sink, cache.get());
    };
    // Small layers start downloading while the config is on its way (latency hiding).
    archive::PrefetchLimits ahead;
    ahead.max_blobs = static_cast<std::size_t>(jobs_ > 0 ? jobs_ : archive::kDefaultJobs);
    archive::BlobPrefetch prefetch(resolved.parsed.layers(), fetch_blob,
                                   archive::spool_directory(""), ahead);
    image::ImageConfig config =
        fetch_config_through_cache(*client, reference.repository, resolved.parsed, cache.get());
    if (!options_.platform.empty()) {
      registry::check_requested_platform(resolved, config, platform_from(options_));
    }
    ref::Reference named = reference;
    named.digest.reset();
    archive::ImageSource source{std::move(resolved.parsed),
                                std::move(config),
                                repo_tags_for(reference, tag_),
                                reference.tag.value_or(""),
                                reference.tag ? named.string() : "",
                                prefetch.fetcher(),
                                allow_foreign_};
    auto display = make_progress_display(choose_progress_style(options_.quiet));
    archive::WriteOptions write_options;
    write_options.format = format_ == "oci" ? archive::Format::kOci : archive::Format::kDocker;
    write_options.jobs = jobs_;
    write_options.gzip = ends_with(options_.out, ".gz");
    write_options.progress = display.get();

    if (to_stdout) {
      archive::ArchiveOutput output(STDOUT_FILENO, "standard output");
      archive::write_image_archive(source, write_options, output);
      display->finish();
      return 0;
    }
    archive::ArchiveOutput output(*file);
    archive::write_image_archive(source, write_options, output);
    file->commit();
    display->finish();
    write_stdout(options_.out + "\n");
    return 0;
  }

 private:
  FetchOptions options_;
  std::string format_ = "docker";
  std::string tag_;
  int jobs_ = 0;
  bool allow_foreign_ = false;
};

}  // namespace

std::unique_ptr<Command> make_image_command() {
  return std::make_unique<ImageCommand>();
}

}  // namespace hocker::cli
