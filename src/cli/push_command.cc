// hocker push SOURCE REF: an image from a docker archive (a file, or '-' for a stream on stdin),
// an OCI layout directory or an OCI archive, into a registry. Prints NAME@DIGEST of the pushed
// manifest. The library (src/hocker/push) does the work; this file picks the source.
// hocker push --all SOURCE [REGISTRY[/PREFIX]]: every image of a bundle (push_command_all.cc).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/push_command_all.h"
#include "hocker/base/error.h"
#include "hocker/base/unique_fd.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/push/diff_id_map.h"
#include "hocker/push/docker_push.h"
#include "hocker/push/oci_push.h"
#include "hocker/push/registry_target.h"

namespace hocker::cli {
namespace {

// Whether the reference text names a tag or a digest itself (Reference::parse defaults to
// "latest", which must not hide the archive's own tag).
bool names_tag_or_digest(const std::string& text) {
  std::size_t slash = text.rfind('/');
  std::string last = slash == std::string::npos ? text : text.substr(slash + 1);
  return last.find_first_of(":@") != std::string::npos;
}

UniqueFd open_source(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error(ErrorKind::kLocalIo, "cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

class PushCommand final : public Command {
 public:
  std::string name() const override { return "push"; }
  std::string description() const override {
    return "Push an image from a docker archive, a stream on stdin ('-'), an OCI layout "
           "directory or an OCI archive to a registry; prints NAME@DIGEST. With --all, every "
           "image of a bundle to the name it records (or under REGISTRY[/PREFIX])";
  }
  void configure(CLI::App& app) override {
    app.add_option("SOURCE", source_,
                   "A docker archive (plain, gzip or zstd), '-' for one on stdin, an OCI layout "
                   "directory or an OCI archive")
        ->required();
    app.add_option("--compression", compression_,
                   "How to compress uncompressed layers: gzip (zlib level 6) or zstd (level 3, "
                   "OCI media types)")
        ->check(CLI::IsMember({"gzip", "zstd"}));
    app.add_option("--format", format_,
                   "Manifest format for a docker archive: docker (schema 2), oci, or auto "
                   "(docker unless a layer is zstd)")
        ->check(CLI::IsMember({"auto", "docker", "oci"}));
    app.add_option("--mount-from", mount_from_,
                   "A repository of the same registry to mount blobs from instead of uploading "
                   "them, when it has them")
        ->type_name("REPOSITORY");
    app.add_option("-j,--jobs", jobs_,
                   "Layers pushed at once from a file or an OCI layout directory (a stream on "
                   "stdin is one pass)")
        ->check(CLI::Range(1, 64));
    app.add_flag("--all", all_,
                 "Push every image the source holds, each to the name it records (RepoTags, or "
                 "the io.containerd.image.name annotation); the optional REF is then "
                 "REGISTRY[/PREFIX], which replaces each name's registry and goes before its "
                 "repository path; prints NAME:TAG@DIGEST per image");
    add_fetch_options(app, options_, WithOutput::kNo);
    // With --all the destination is optional; run() asks for REF otherwise.
    app.get_option("IMAGE")->required(false)->description(
        "REF, the reference to push to (a full reference, or IMAGE-NAME IMAGE-TAG); "
        "with --all, an optional REGISTRY[/PREFIX]");
  }
  int run() override;

 private:
  push::PushOptions push_options() const;
  int run_all();

  push::PushReport push_source(push::PushTarget& target, const push::PushOptions& options);

  FetchOptions options_;
  std::string source_;
  std::string compression_ = "gzip";
  std::string format_ = "auto";
  std::string mount_from_;
  int jobs_ = 3;
  bool all_ = false;
};

push::PushReport PushCommand::push_source(push::PushTarget& target,
                                          const push::PushOptions& options) {
  if (source_ == "-") {
    push::TarReader reader(STDIN_FILENO, "standard input");
    return push::push_docker_archive(reader, target, options, nullptr);
  }
  if (is_directory(source_)) {
    if (!push::is_oci_layout_directory(source_)) {
      throw Error(ErrorKind::kFormat, source_ + ": a directory without an oci-layout file");
    }
    return push::push_oci_directory(source_, target, options.blobs, options.tag, jobs_);
  }
  // A file: a first pass learns the whole archive (and refuses hostile names) before any upload.
  UniqueFd first = open_source(source_);
  push::TarReader scan_reader(first.get(), source_);
  push::ArchiveScan scan = push::scan_docker_archive(scan_reader);
  if (push::is_oci_archive(scan)) {
    UniqueFd second = open_source(source_);
    push::TarReader reader(second.get(), source_);
    return push::push_oci_archive(scan, reader, target, options.blobs, options.tag);
  }
  auto open_reader = [this](const std::function<void(push::TarReader&)>& use) {
    UniqueFd fd = open_source(source_);
    push::TarReader reader(fd.get(), source_);
    use(reader);
  };
  return push::push_docker_archive_parallel(open_reader, target, options, scan, jobs_);
}

push::PushOptions PushCommand::push_options() const {
  push::PushOptions options;
  options.blobs.compression =
      compression_ == "zstd" ? push::Compression::kZstd : push::Compression::kGzip;
  options.blobs.mount_from = mount_from_;
  options.format = format_ == "oci"      ? push::ManifestFormat::kOci
                   : format_ == "docker" ? push::ManifestFormat::kDocker
                                         : push::ManifestFormat::kAuto;
  return options;
}

int PushCommand::run_all() {
  if (options_.positionals.size() > 1) {
    throw Error(ErrorKind::kUsage,
                "--all takes at most one destination, REGISTRY[/PREFIX], after SOURCE");
  }
  if (!options_.registry.empty()) {
    throw Error(ErrorKind::kUsage, "--all takes no --registry: name the destination after SOURCE");
  }
  PushAllRequest request;
  request.source = source_;
  if (!options_.positionals.empty()) request.destination = options_.positionals.front();
  request.options = push_options();
  request.jobs = jobs_;
  push_all(options_, std::move(request));
  return 0;
}

int PushCommand::run() {
  if (!options_.platform.empty()) {
    throw Error(ErrorKind::kUsage, "push takes no --platform: the source says what it holds");
  }
  if (all_) return run_all();
  if (options_.positionals.empty()) {
    throw Error(ErrorKind::kUsage, "IMAGE is required: the reference to push to (or --all)");
  }
  ref::Reference reference = reference_from(options_);
  push::PushOptions options = push_options();
  if (options_.positionals.size() == 2 || names_tag_or_digest(options_.positionals.front())) {
    options.tag = reference.digest ? reference.digest->string() : reference.tag.value_or("");
  }
  auto cache = pull::open_cache(options_.cache);
  std::optional<push::DiffIdMap> diff_ids;
  if (cache) {
    diff_ids = push::DiffIdMap::load(push::diff_id_map_path(cache->root()));
    options.blobs.diff_ids = &*diff_ids;
  }
  auto client = make_client(options_, reference);
  push::RegistryTarget target(*client, reference.repository);
  push::PushReport report = push_source(target, options);
  if (diff_ids) diff_ids->save();
  write_stdout(reference.registry.domain + "/" + reference.repository + "@" +
               report.digest.string() + "\n");
  return 0;
}

}  // namespace

std::unique_ptr<Command> make_push_command() {
  return std::make_unique<PushCommand>();
}

}  // namespace hocker::cli
