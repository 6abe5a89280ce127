// The one-pass docker-archive push. Members are handled as they come:
//   manifest.json           → parsed (which member is the config, which are layers)
//   the config, JSON        → kept in memory (bounded: image::kMaxConfigSize)
//   a layer (or, before manifest.json, anything that is not JSON) → LayerPush, streamed
// and the manifest is put only after every layer was checked against the config's diff_ids.
#include "hocker/push/docker_push.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "hocker/archive/scheduler.h"
#include "hocker/base/error.h"
#include "hocker/image/image_config.h"
#include "hocker/image/media_types.h"
#include "hocker/push/member_router.h"

namespace hocker::push {

namespace {

// Keeps a JSON member, within kMaxDocumentBytes for all of them together.
void keep_document(std::map<std::string, std::string>& documents, const std::string& name,
                   const std::string& content) {
  std::size_t total = content.size();
  for (const auto& [kept_name, kept] : documents) total += kept.size();
  if (total > kMaxDocumentBytes) {
    throw Error(ErrorKind::kFormat, "the archive's JSON members exceed " +
                                        std::to_string(kMaxDocumentBytes >> 20) + " MiB");
  }
  documents.insert_or_assign(name, content);
}

// Members of docker's legacy layout and of OCI layouts that are never layers.
bool is_never_a_layer(const std::string& name) {
  return name == "repositories" || name == "oci-layout" || name.ends_with("/VERSION") ||
         name.ends_with("/json");
}

class DockerPush {
 public:
  DockerPush(PushTarget& target, const PushOptions& options, const ArchiveScan* scan)
      : target_(target), options_(options), scan_(scan) {
    if (scan_ == nullptr) return;
    if (scan_->manifest_json) adopt_manifest(*scan_->manifest_json);
    if (image_) {
      if (auto found = scan_->documents.find(image_->config); found != scan_->documents.end()) {
        adopt_config(found->second);
      }
    }
  }

  void take(TarReader& reader, const TarMember& member);
  /// Takes the members named in `mine` (layers), skipping the rest; stops early when `stop`.
  void take_layers(TarReader& reader, const std::set<std::string>& mine,
                   const archive::StopFlag& stop);
  /// Whether manifest.json and the config are known (the first pass found them).
  bool knows_layers() const { return image_ && config_; }
  const std::vector<std::string>& layer_names() const { return image_->layers; }
  PushReport finish();

 private:
  void adopt_manifest(const std::string& raw);
  void adopt_config(const std::string& raw);
  LayerHints hints_for(const std::string& name) const;
  void check_layer(const std::string& name, const EncodedLayer& layer) const;
  void keep_layer(const std::string& name, LayerPush& push);
  PushedBlob layer_blob(const std::string& name);
  std::string resolve_tag() const;
  PushedBlob push_config();

  PushTarget& target_;
  const PushOptions& options_;
  const ArchiveScan* scan_;
  std::optional<ArchiveImage> image_;
  std::optional<image::ImageConfig> config_;
  std::map<std::string, std::string> documents_;
  std::map<std::string, EncodedLayer> layers_;
  std::mutex mutex_;  // Guards documents_, layers_ and report_ when threads take layers.
  PushReport report_{"", digest::Digest::parse("sha256:" + std::string(64, '0'))};
};

void DockerPush::adopt_manifest(const std::string& raw) {
  std::vector<ArchiveImage> images = parse_archive_manifest(raw);
  if (options_.entry) {
    if (*options_.entry >= images.size()) {
      throw Error(ErrorKind::kFormat,
                  "manifest.json has no entry " + std::to_string(*options_.entry + 1));
    }
    image_ = std::move(images[*options_.entry]);
  } else if (images.size() != 1) {
    throw Error(ErrorKind::kFormat, "the archive holds " + std::to_string(images.size()) +
                                        " images: push them all with --all");
  } else {
    image_ = std::move(images.front());
  }
  resolve_tag();  // Fails before any further upload.
}

std::string DockerPush::resolve_tag() const {
  if (!options_.tag.empty()) return options_.tag;
  if (image_->repo_tags.size() != 1 || tag_of(image_->repo_tags.front()).empty()) {
    throw Error(ErrorKind::kUsage, "the reference names no tag and the archive has " +
                                       std::to_string(image_->repo_tags.size()) +
                                       " RepoTags: name a tag");
  }
  return tag_of(image_->repo_tags.front());
}

void DockerPush::adopt_config(const std::string& raw) {
  config_ = image::ImageConfig::parse(raw);
  if (config_->diff_ids().size() != image_->layers.size()) {
    throw Error(ErrorKind::kFormat, "the config lists " +
                                        std::to_string(config_->diff_ids().size()) +
                                        " diff_ids but manifest.json " +
                                        std::to_string(image_->layers.size()) + " layers");
  }
  for (const auto& [name, layer] : layers_) check_layer(name, layer);
}

LayerHints DockerPush::hints_for(const std::string& name) const {
  LayerHints hints;
  if (image_ && config_) {
    for (std::size_t i = 0; i < image_->layers.size(); ++i) {
      if (image_->layers[i] == name) hints.diff_id = config_->diff_ids()[i];
    }
  }
  if (scan_ != nullptr) {
    if (auto found = scan_->compressed.find(name); found != scan_->compressed.end()) {
      hints.digest = found->second;
    }
  }
  return hints;
}

void DockerPush::check_layer(const std::string& name, const EncodedLayer& layer) const {
  if (!image_ || !config_) return;
  for (std::size_t i = 0; i < image_->layers.size(); ++i) {
    if (image_->layers[i] != name || config_->diff_ids()[i] == layer.diff_id) continue;
    throw Error(ErrorKind::kIntegrity,
                "layer '" + name + "' does not match its diff_id: expected " +
                    config_->diff_ids()[i].string() + ", got " + layer.diff_id.string());
  }
}

void DockerPush::keep_layer(const std::string& name, LayerPush& push) {
  std::lock_guard lock(mutex_);
  push.uploaded() ? ++report_.uploaded : ++report_.skipped;
  layers_.insert_or_assign(name, push.result());
  check_layer(name, push.result());
}

void DockerPush::take_layers(TarReader& reader, const std::set<std::string>& mine,
                             const archive::StopFlag& stop) {
  std::size_t left = mine.size();
  while (left > 0 && !stop) {
    auto member = reader.next();
    if (!member) return;
    if (!member->is_file || !mine.contains(member->name)) continue;
    take(reader, *member);
    --left;
  }
}

void DockerPush::take(TarReader& reader, const TarMember& member) {
  if (!member.is_file) return;
  if (member.name == "manifest.json") {
    std::string raw = reader.read_small(image::kMaxManifestSize, "manifest.json");
    if (!image_) adopt_manifest(raw);
    if (auto found = documents_.find(image_->config); found != documents_.end() && !config_) {
      adopt_config(found->second);
    }
    return;
  }
  bool referenced = false;
  if (image_) {
    if (member.name == image_->config) {
      if (!config_) adopt_config(reader.read_small(image::kMaxConfigSize, "config"));
      return;
    }
    for (const auto& layer : image_->layers) referenced = referenced || layer == member.name;
    if (!referenced) return;
    std::lock_guard lock(mutex_);
    if (layers_.contains(member.name)) return;
  } else if (is_never_a_layer(member.name)) {
    return;
  }
  std::unique_ptr<LayerPush> push;
  MemberRouter router(member.size, image::kMaxConfigSize, [&](Bytes first) -> ByteSink* {
    push = std::make_unique<LayerPush>(target_, options_.blobs, "layer '" + member.name + "'",
                                       hints_for(member.name), first);
    return push.get();
  });
  reader.read(router);
  router.finish();
  if (router.document()) {
    std::lock_guard lock(mutex_);
    keep_document(documents_, member.name, *router.document());
  }
  if (push) keep_layer(member.name, *push);
}

PushedBlob DockerPush::layer_blob(const std::string& name) {
  auto found = layers_.find(name);
  if (found == layers_.end()) {
    // A layer small and JSON-like enough to have been kept as a document.
    auto document = documents_.find(name);
    if (document == documents_.end()) {
      throw Error(ErrorKind::kFormat, "layer member '" + name + "' is missing from the archive");
    }
    const std::string& bytes = document->second;
    LayerPush push(target_, options_.blobs, "layer '" + name + "'", hints_for(name),
                   as_bytes(bytes.data(), bytes.size()));
    push.write(as_bytes(bytes.data(), bytes.size()));
    push.finish();
    keep_layer(name, push);
    found = layers_.find(name);
  }
  return PushedBlob{found->second.digest, found->second.size, found->second.compression};
}

PushedBlob DockerPush::push_config() {
  const std::string& raw = config_->raw();
  PushedBlob blob{config_->digest(), static_cast<std::int64_t>(raw.size())};
  if (ensure_blob(target_, options_.blobs, blob.digest)) {
    ++report_.skipped;
  } else {
    target_.put_blob(blob.digest, raw);
    ++report_.uploaded;
  }
  return blob;
}

PushReport DockerPush::finish() {
  if (!image_) throw Error(ErrorKind::kFormat, "the archive has no manifest.json");
  if (!config_) {
    auto found = documents_.find(image_->config);
    if (found == documents_.end()) {
      throw Error(ErrorKind::kFormat,
                  "the config member '" + image_->config + "' is missing from the archive");
    }
    adopt_config(found->second);
  }
  std::vector<PushedBlob> layers;
  for (std::size_t i = 0; i < image_->layers.size(); ++i) {
    layers.push_back(layer_blob(image_->layers[i]));
  }
  report_.tag = resolve_tag();
  PushedBlob config = push_config();
  BuiltManifest manifest = build_manifest(options_.format, config, layers);
  report_.digest = target_.put_manifest(report_.tag, manifest.media_type, manifest.raw);
  return report_;
}

}  // namespace

std::string tag_of(const std::string& repo_tag) {
  std::size_t slash = repo_tag.rfind('/');
  std::size_t colon = repo_tag.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "";
  return repo_tag.substr(colon + 1);
}

ArchiveScan scan_docker_archive(TarReader& reader) {
  ArchiveScan scan;
  while (auto member = reader.next()) {
    if (!member->is_file) continue;
    if (member->name == "manifest.json") {
      scan.manifest_json = reader.read_small(image::kMaxManifestSize, "manifest.json");
      continue;
    }
    std::unique_ptr<blob::NullSink> discard;
    std::unique_ptr<blob::DigestTee> hasher;
    MemberRouter router(member->size, image::kMaxConfigSize, [&](Bytes first) -> ByteSink* {
      if (sniff_compression(first) == Compression::kNone) return nullptr;
      discard = std::make_unique<blob::NullSink>();
      hasher = std::make_unique<blob::DigestTee>(*discard);
      return hasher.get();
    });
    reader.read(router);
    router.finish();
    if (router.document()) keep_document(scan.documents, member->name, *router.document());
    if (hasher) scan.compressed.emplace(member->name, hasher->digest());
  }
  return scan;
}

PushReport push_docker_archive(TarReader& reader, PushTarget& target, const PushOptions& options,
                               const ArchiveScan* scan) {
  DockerPush push(target, options, scan);
  while (auto member = reader.next()) push.take(reader, *member);
  return push.finish();
}

PushReport push_docker_archive_parallel(const ReaderFactory& open_reader, PushTarget& target,
                                        const PushOptions& options, const ArchiveScan& scan,
                                        int jobs) {
  DockerPush push(target, options, &scan);
  if (!push.knows_layers() || jobs <= 1) {
    // Without manifest.json or its config the one pass reports what is missing.
    std::optional<PushReport> report;
    open_reader(
        [&](TarReader& reader) { report = push_docker_archive(reader, target, options, &scan); });
    return *report;
  }
  std::vector<std::string> names;
  for (const auto& name : push.layer_names()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  auto workers = static_cast<std::size_t>(jobs);
  archive::StopFlag stop{false};
  archive::run_in_parallel(std::min(workers, names.size()), jobs, stop, [&](std::size_t worker) {
    std::set<std::string> mine;
    for (std::size_t k = worker; k < names.size(); k += workers) mine.insert(names[k]);
    open_reader([&](TarReader& reader) { push.take_layers(reader, mine, stop); });
  });
  return push.finish();
}

}  // namespace hocker::push
