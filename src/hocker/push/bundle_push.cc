// Several platforms of one image from a docker archive: every entry's manifest is put by its
// digest (a target wrapper turns the tag into the digest and remembers what was put), then an
// index of them goes under the tag, last.
#include "hocker/push/bundle_push.h"

#include <nlohmann/json.hpp>
#include <set>

#include "hocker/base/error.h"
#include "hocker/image/image_config.h"
#include "hocker/image/media_types.h"

namespace hocker::push {

namespace {

namespace media_type = image::media_type;

// `inner`, with manifests put by their own digest instead of a tag; remembers the last one.
class ByDigestTarget final : public PushTarget {
 public:
  explicit ByDigestTarget(PushTarget& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  bool has_blob(const digest::Digest& digest) override { return inner_.has_blob(digest); }
  bool mount_blob(const digest::Digest& digest, const std::string& repository) override {
    return inner_.mount_blob(digest, repository);
  }
  std::unique_ptr<PushUpload> begin_upload() override { return inner_.begin_upload(); }
  void put_blob(const digest::Digest& digest, std::string_view content) override {
    inner_.put_blob(digest, content);
  }
  digest::Digest put_manifest(const std::string& /*reference*/, std::string_view type,
                              std::string_view raw) override {
    digest::Digest digest = digest::sha256(raw);
    put = IndexEntry{std::string(type),
                     inner_.put_manifest(digest.string(), type, raw),
                     static_cast<std::int64_t>(raw.size()),
                     "",
                     "",
                     ""};
    return put.digest;
  }

  IndexEntry put{"", digest::sha256(""), 0, "", "", ""};

 private:
  PushTarget& inner_;
};

image::ImageConfig config_of(const ArchiveScan& scan, const ArchiveImage& image,
                             const std::string& name) {
  auto found = scan.documents.find(image.config);
  if (found == scan.documents.end()) {
    throw Error(ErrorKind::kFormat,
                name + ": the config member '" + image.config + "' is missing from the archive");
  }
  return image::ImageConfig::parse(found->second);
}

}  // namespace

BuiltManifest build_index(const std::vector<IndexEntry>& entries) {
  bool docker = true;
  for (const auto& entry : entries)
    docker = docker && entry.media_type == media_type::kDockerManifest;
  BuiltManifest built;
  built.media_type = docker ? media_type::kDockerManifestList : media_type::kOciIndex;
  nlohmann::ordered_json json;
  json["schemaVersion"] = 2;
  json["mediaType"] = built.media_type;
  json["manifests"] = nlohmann::ordered_json::array();
  for (const auto& entry : entries) {
    nlohmann::ordered_json item;
    item["mediaType"] = entry.media_type;
    item["size"] = entry.size;
    item["digest"] = entry.digest.string();
    item["platform"]["architecture"] = entry.architecture;
    item["platform"]["os"] = entry.os;
    if (!entry.variant.empty()) item["platform"]["variant"] = entry.variant;
    json["manifests"].push_back(std::move(item));
  }
  built.raw = json.dump();
  return built;
}

void check_platforms(const ArchiveScan& scan, const std::vector<std::size_t>& entries,
                     const std::string& name) {
  if (!scan.manifest_json) throw Error(ErrorKind::kFormat, "the archive has no manifest.json");
  std::vector<ArchiveImage> images = parse_archive_manifest(*scan.manifest_json);
  std::set<std::string> seen;
  for (std::size_t entry : entries) {
    image::ImageConfig config = config_of(scan, images.at(entry), name);
    std::string platform = config.os() + "/" + config.architecture() +
                           (config.variant().empty() ? "" : "/" + config.variant());
    if (config.os().empty() || config.architecture().empty()) {
      throw Error(ErrorKind::kFormat, "manifest.json entries named " + name +
                                          " are several images, and the config of entry " +
                                          std::to_string(entry + 1) + " names no platform");
    }
    if (!seen.insert(platform).second) {
      throw Error(ErrorKind::kFormat, "manifest.json has several entries named " + name +
                                          " for the same platform " + platform);
    }
  }
}

PushReport push_docker_entries(const ReaderFactory& open_reader, PushTarget& target,
                               PushOptions options, const ArchiveScan& scan,
                               const std::vector<std::size_t>& entries, int jobs) {
  if (entries.size() == 1) {
    options.entry = entries.front();
    return push_docker_archive_parallel(open_reader, target, options, scan, jobs);
  }
  check_platforms(scan, entries, target.name() + ":" + options.tag);
  std::vector<ArchiveImage> images = parse_archive_manifest(*scan.manifest_json);
  std::vector<IndexEntry> listed;
  PushReport total{options.tag, digest::sha256("")};
  for (std::size_t entry : entries) {
    ByDigestTarget by_digest(target);
    options.entry = entry;
    PushReport one = push_docker_archive_parallel(open_reader, by_digest, options, scan, jobs);
    total.uploaded += one.uploaded;
    total.skipped += one.skipped;
    image::ImageConfig config = config_of(scan, images[entry], target.name());
    by_digest.put.os = config.os();
    by_digest.put.architecture = config.architecture();
    by_digest.put.variant = config.variant();
    listed.push_back(by_digest.put);
  }
  BuiltManifest index = build_index(listed);
  total.digest = target.put_manifest(options.tag, index.media_type, index.raw);
  return total;
}

}  // namespace hocker::push
