// push --all: the bundle is read once to learn every name (and refuse a bad one before any
// upload), then each image goes up with its own registry target, wrapped so that blobs the
// bundle already sent to another repository of the same registry are mounted, not sent again.
#include "cli/push_command_all.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "cli/output.h"
#include "hocker/base/error.h"
#include "hocker/base/unique_fd.h"
#include "hocker/image/manifest.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/push/bundle_names.h"
#include "hocker/push/bundle_push.h"
#include "hocker/push/bundle_stream.h"
#include "hocker/push/diff_id_map.h"
#include "hocker/push/oci_push.h"
#include "hocker/push/registry_target.h"
#include "hocker/push/shared_blobs.h"

namespace hocker::cli {
namespace {

UniqueFd open_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error(ErrorKind::kLocalIo, "cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

std::string read_index_json(const std::string& directory) {
  std::string path = directory + "/index.json";
  UniqueFd fd = open_file(path);
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      throw Error(ErrorKind::kLocalIo, "cannot read " + path + ": " + std::strerror(errno));
    if (got == 0) return content;
    content.append(buffer, static_cast<std::size_t>(got));
    if (content.size() > image::kMaxManifestSize) {
      throw Error(ErrorKind::kFormat, path + ": larger than the limit");
    }
  }
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// The bundle as read before any upload: its kind, the scan of a file, the pushes it asks for.
struct Bundle {
  enum class Kind { kDocker, kOciArchive, kOciDirectory } kind = Kind::kDocker;
  push::ArchiveScan scan;
  std::string index_json;
  std::vector<push::BundleImage> images;
};

Bundle read_bundle(const PushAllRequest& request) {
  std::optional<push::Destination> destination;
  if (request.destination) destination = push::parse_destination(*request.destination);
  Bundle bundle;
  if (is_directory(request.source)) {
    if (!push::is_oci_layout_directory(request.source)) {
      throw Error(ErrorKind::kFormat, request.source + ": a directory without an oci-layout file");
    }
    bundle.kind = Bundle::Kind::kOciDirectory;
    bundle.index_json = read_index_json(request.source);
    bundle.images = push::oci_bundle_images(bundle.index_json, destination);
    return bundle;
  }
  UniqueFd fd = open_file(request.source);
  push::TarReader reader(fd.get(), request.source);
  bundle.scan = push::scan_docker_archive(reader);
  // hocker image --format oci writes a docker manifest.json beside index.json: the OCI side
  // keeps a nested index whole, where manifest.json names one platform only.
  const auto& documents = bundle.scan.documents;
  if (push::is_oci_archive(bundle.scan) ||
      (documents.contains("index.json") && documents.contains("oci-layout"))) {
    bundle.kind = Bundle::Kind::kOciArchive;
    bundle.index_json = bundle.scan.documents.at("index.json");
    bundle.images = push::oci_bundle_images(bundle.index_json, destination);
    return bundle;
  }
  if (!bundle.scan.manifest_json)
    throw Error(ErrorKind::kFormat, "the archive has no manifest.json");
  bundle.images = push::docker_bundle_images(
      push::parse_archive_manifest(*bundle.scan.manifest_json), destination);
  for (const auto& image : bundle.images) {
    if (image.entries.size() > 1) {
      push::check_platforms(bundle.scan, image.entries, push::pushed_name(image.name));
    }
  }
  return bundle;
}

push::PushReport push_one(const Bundle& bundle, const PushAllRequest& request,
                          const push::BundleImage& image, push::PushTarget& target) {
  push::PushOptions options = request.options;
  options.tag = *image.name.tag;
  const std::string& source = request.source;
  if (bundle.kind == Bundle::Kind::kDocker) {
    auto open_reader = [&source](const std::function<void(push::TarReader&)>& use) {
      UniqueFd fd = open_file(source);
      push::TarReader reader(fd.get(), source);
      use(reader);
    };
    return push::push_docker_entries(open_reader, target, options, bundle.scan, image.entries,
                                     request.jobs);
  }
  std::string one = push::single_entry_index(bundle.index_json, image.entries.front());
  if (bundle.kind == Bundle::Kind::kOciDirectory) {
    return push::push_oci_directory(source, target, options.blobs, options.tag, request.jobs, &one);
  }
  UniqueFd fd = open_file(source);
  push::TarReader reader(fd.get(), source);
  return push::push_oci_archive(bundle.scan, reader, target, options.blobs, options.tag, &one);
}

// The targets of one run: a client per registry, a SharingTarget per repository, kept alive
// for the whole run and sharing one record of which repository received which blob.
class Targets {
 public:
  explicit Targets(FetchOptions& options) : options_(options) {}
  push::PushTarget& open(const ref::Reference& name) {
    std::string key = name.registry.domain + "/" + name.repository;
    auto& target = targets_[key];
    if (target) return *target;
    auto& client = clients_[name.registry.domain];
    if (!client) client = make_client(options_, name);
    registry_targets_.push_back(std::make_unique<push::RegistryTarget>(*client, name.repository));
    target = std::make_unique<push::SharingTarget>(*registry_targets_.back(), name.registry.domain,
                                                   shared_);
    return *target;
  }

 private:
  FetchOptions& options_;
  push::SharedBlobs shared_;
  std::map<std::string, std::unique_ptr<registry::Client>> clients_;
  std::vector<std::unique_ptr<push::RegistryTarget>> registry_targets_;
  std::map<std::string, std::unique_ptr<push::SharingTarget>> targets_;
};

void print_pushed(const push::BundleImage& image, const push::PushReport& report) {
  write_stdout(push::pushed_name(image.name) + "@" + report.digest.string() + "\n");
}

}  // namespace

void push_all(FetchOptions& options, PushAllRequest request) {
  std::optional<Bundle> bundle;
  if (request.source != "-") bundle = read_bundle(request);
  auto cache = pull::open_cache(options.cache);
  // Without a cache the map lives for this run only: a layer two images share is then still
  // compressed once, and the second image only asks the registry for it.
  push::DiffIdMap diff_ids =
      cache ? push::DiffIdMap::load(push::diff_id_map_path(cache->root())) : push::DiffIdMap("");
  request.options.blobs.diff_ids = &diff_ids;
  Targets targets(options);
  if (!bundle) {
    std::optional<push::Destination> destination;
    if (request.destination) destination = push::parse_destination(*request.destination);
    push::TarReader reader(STDIN_FILENO, "standard input");
    push::push_docker_stream(
        reader, destination, request.options,
        [&](const ref::Reference& name) -> push::PushTarget& { return targets.open(name); },
        print_pushed);
  } else {
    for (const auto& image : bundle->images) {
      print_pushed(image, push_one(*bundle, request, image, targets.open(image.name)));
    }
  }
  if (cache) diff_ids.save();
}

}  // namespace hocker::cli
