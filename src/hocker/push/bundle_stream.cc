// The one-pass bundle push: documents are kept, layers stream into LayerPush on the target of
// the first image that lists them, and each image's manifest is built once the stream ended.
#include "hocker/push/bundle_stream.h"

#include <algorithm>
#include <map>

#include "hocker/base/error.h"
#include "hocker/image/image_config.h"
#include "hocker/image/manifest.h"
#include "hocker/push/layer_push.h"
#include "hocker/push/member_router.h"

namespace hocker::push {

namespace {

class StreamBundle {
 public:
  StreamBundle(const std::optional<Destination>& destination, const PushOptions& options,
               const OpenTarget& open_target)
      : destination_(destination), options_(options), open_target_(open_target) {}

  void take(TarReader& reader, const TarMember& member);
  void finish(const Pushed& pushed);

 private:
  void adopt_manifest(const std::string& raw);
  void take_layer(TarReader& reader, const TarMember& member);
  image::ImageConfig checked_config(const ArchiveImage& entry) const;
  PushReport push_image(const BundleImage& image);

  const std::optional<Destination>& destination_;
  const PushOptions& options_;
  const OpenTarget& open_target_;
  std::vector<ArchiveImage> entries_;
  std::vector<BundleImage> images_;
  std::map<std::string, std::string> documents_;
  std::map<std::string, EncodedLayer> layers_;
};

void StreamBundle::adopt_manifest(const std::string& raw) {
  entries_ = parse_archive_manifest(raw);
  images_ = docker_bundle_images(entries_, destination_);
  for (const auto& image : images_) {
    if (image.entries.size() > 1) {
      throw Error(ErrorKind::kUsage, "several manifest.json entries are named " +
                                         pushed_name(image.name) +
                                         ": push the archive from a file for an index");
    }
    if (image.name.registry.domain != images_.front().name.registry.domain) {
      throw Error(ErrorKind::kUsage,
                  "from a stream, --all pushes to one registry, but the archive names " +
                      images_.front().name.registry.domain + " and " + image.name.registry.domain +
                      ": name a destination or push the file");
    }
  }
}

void StreamBundle::take(TarReader& reader, const TarMember& member) {
  if (!member.is_file) return;
  if (member.name == "manifest.json") {
    if (!images_.empty()) throw Error(ErrorKind::kFormat, "the archive has two manifest.json");
    adopt_manifest(reader.read_small(image::kMaxManifestSize, "manifest.json"));
    return;
  }
  bool config = false, layer = false;
  for (const auto& entry : entries_) {
    config = config || entry.config == member.name;
    for (const auto& name : entry.layers) layer = layer || name == member.name;
  }
  if (images_.empty() || config) {
    // Before manifest.json only documents are accepted: a layer would have nowhere to go.
    MemberRouter router(member.size, image::kMaxConfigSize, [&](Bytes) -> ByteSink* {
      throw Error(ErrorKind::kUsage,
                  "member '" + member.name +
                      "' comes before manifest.json: from a stream, --all needs manifest.json "
                      "first (hocker image writes it so); push the file instead");
    });
    reader.read(router);
    router.finish();
    documents_.insert_or_assign(member.name, router.document().value_or(""));
    return;
  }
  if (layer && !layers_.contains(member.name)) take_layer(reader, member);
}

void StreamBundle::take_layer(TarReader& reader, const TarMember& member) {
  LayerHints hints;
  std::size_t first = 0;
  for (; first < entries_.size(); ++first) {
    const auto& names = entries_[first].layers;
    auto at = std::find(names.begin(), names.end(), member.name);
    if (at == names.end()) continue;
    auto config = documents_.find(entries_[first].config);
    if (config != documents_.end()) {
      auto diff_ids = image::ImageConfig::parse(config->second).diff_ids();
      auto index = static_cast<std::size_t>(at - names.begin());
      if (index < diff_ids.size()) hints.diff_id = diff_ids[index];
    }
    break;
  }
  const BundleImage* owner = nullptr;
  for (const auto& image : images_) {
    if (owner == nullptr && image.entries.front() == first) owner = &image;
  }
  PushTarget& target = open_target_(owner->name);
  std::unique_ptr<LayerPush> push;
  MemberRouter router(member.size, 0, [&](Bytes bytes) -> ByteSink* {
    push = std::make_unique<LayerPush>(target, options_.blobs, "layer '" + member.name + "'", hints,
                                       bytes);
    return push.get();
  });
  reader.read(router);
  router.finish();
  if (!push) throw Error(ErrorKind::kFormat, "layer member '" + member.name + "' is empty");
  layers_.emplace(member.name, push->result());
}

image::ImageConfig StreamBundle::checked_config(const ArchiveImage& entry) const {
  auto raw = documents_.find(entry.config);
  if (raw == documents_.end() || raw->second.empty()) {
    throw Error(ErrorKind::kFormat,
                "the config member '" + entry.config + "' is missing from the archive");
  }
  image::ImageConfig config = image::ImageConfig::parse(raw->second);
  if (config.diff_ids().size() != entry.layers.size()) {
    throw Error(ErrorKind::kFormat, "the config '" + entry.config + "' lists " +
                                        std::to_string(config.diff_ids().size()) +
                                        " diff_ids but manifest.json " +
                                        std::to_string(entry.layers.size()) + " layers");
  }
  for (std::size_t i = 0; i < entry.layers.size(); ++i) {
    auto found = layers_.find(entry.layers[i]);
    if (found == layers_.end()) {
      throw Error(ErrorKind::kFormat,
                  "layer member '" + entry.layers[i] + "' is missing from the archive");
    }
    if (found->second.diff_id != config.diff_ids()[i]) {
      throw Error(ErrorKind::kIntegrity,
                  "layer '" + entry.layers[i] + "' does not match its diff_id: expected " +
                      config.diff_ids()[i].string() + ", got " + found->second.diff_id.string());
    }
  }
  return config;
}

PushReport StreamBundle::push_image(const BundleImage& image) {
  const ArchiveImage& entry = entries_[image.entries.front()];
  image::ImageConfig config = checked_config(entry);
  PushTarget& target = open_target_(image.name);
  PushReport report{*image.name.tag, digest::sha256("")};
  std::vector<PushedBlob> layers;
  for (const auto& name : entry.layers) {
    const EncodedLayer& layer = layers_.at(name);
    if (!ensure_blob(target, options_.blobs, layer.digest)) {
      throw Error(ErrorKind::kFormat, "the registry would not mount layer '" + name + "' into " +
                                          target.name() + ": push the file instead");
    }
    layers.push_back(PushedBlob{layer.digest, layer.size, layer.compression});
  }
  PushedBlob config_blob{config.digest(), static_cast<std::int64_t>(config.raw().size())};
  if (!ensure_blob(target, options_.blobs, config_blob.digest)) {
    target.put_blob(config_blob.digest, config.raw());
    ++report.uploaded;
  }
  BuiltManifest manifest = build_manifest(options_.format, config_blob, layers);
  report.digest = target.put_manifest(report.tag, manifest.media_type, manifest.raw);
  return report;
}

void StreamBundle::finish(const Pushed& pushed) {
  if (images_.empty()) throw Error(ErrorKind::kFormat, "the archive has no manifest.json");
  // Every image is checked before the first manifest moves a tag.
  for (const auto& image : images_) checked_config(entries_[image.entries.front()]);
  for (const auto& image : images_) pushed(image, push_image(image));
}

}  // namespace

void push_docker_stream(TarReader& reader, const std::optional<Destination>& destination,
                        const PushOptions& options, const OpenTarget& open_target,
                        const Pushed& pushed) {
  StreamBundle bundle(destination, options, open_target);
  while (auto member = reader.next()) bundle.take(reader, *member);
  bundle.finish(pushed);
}

}  // namespace hocker::push
