// Resolution follows the OCI image spec's chain: index (optional) → manifest → config, each
// fetched by digest and checked against it. Layers stay descriptors: a lockfile is written
// without downloading a single layer byte.
#include "hocker/lock/resolve.h"

#include "hocker/base/error.h"
#include "hocker/image/media_types.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/pull/image_pull.h"
#include "hocker/registry/resolve.h"

namespace hocker::lock {
namespace {

// The media type of a fetched document: its mediaType field, which OCI documents may omit;
// then the OCI type of its kind, the only kind of document allowed to omit it.
std::string media_type_of(const std::string& field, image::DocumentKind kind) {
  if (!field.empty()) return field;
  return std::string(kind == image::DocumentKind::kIndex ? image::media_type::kOciIndex
                                                         : image::media_type::kOciManifest);
}

// Pairs the manifest's layers with the config's diff_ids, position by position.
LockedPlatform lock_manifest(const image::Manifest& manifest, const LockedBlob& manifest_blob,
                             image::Platform platform, const image::ImageConfig& config) {
  const auto& layers = manifest.layers();
  if (config.diff_ids().size() != layers.size()) {
    throw Error(ErrorKind::kFormat, "image " + manifest_blob.digest + " has " +
                                        std::to_string(layers.size()) + " layers but its config " +
                                        std::to_string(config.diff_ids().size()) + " diff_ids");
  }
  const image::Descriptor& config_descriptor = manifest.config();
  LockedPlatform locked{std::move(platform),
                        manifest_blob,
                        {config_descriptor.digest.string(), config_descriptor.media_type,
                         static_cast<std::uint64_t>(config_descriptor.size)},
                        {}};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LockedLayer layer;
    layer.digest = layers[i].digest.string();
    layer.media_type = layers[i].media_type;
    layer.size = static_cast<std::uint64_t>(layers[i].size);
    layer.diff_id = config.diff_ids()[i].string();
    locked.layers.push_back(std::move(layer));
  }
  return locked;
}

// One entry of an index: its manifest fetched by digest (verified by the client), its size
// checked against the entry's.
LockedPlatform lock_entry(registry::Client& client, const ref::Reference& reference,
                          const image::Descriptor& entry, cache::BlobCache* cache) {
  registry::FetchedManifest fetched =
      client.fetch_manifest(reference.repository, entry.digest.string());
  if (image::classify(fetched.raw, fetched.content_type) != image::DocumentKind::kImageManifest) {
    throw Error(ErrorKind::kFormat, "manifest " + entry.digest.string() + " for platform " +
                                        entry.platform->string() + " is not an image manifest");
  }
  if (fetched.raw.size() != static_cast<std::size_t>(entry.size)) {
    throw Error(ErrorKind::kIntegrity,
                "manifest " + entry.digest.string() + " is " + std::to_string(fetched.raw.size()) +
                    " bytes, its index entry says " + std::to_string(entry.size));
  }
  image::Manifest manifest = image::Manifest::parse(std::move(fetched.raw));
  LockedBlob blob{entry.digest.string(), entry.media_type, static_cast<std::uint64_t>(entry.size)};
  image::ImageConfig config = pull::fetch_config(client, reference.repository, manifest, cache);
  return lock_manifest(manifest, blob, *entry.platform, config);
}

// A single-platform image: its platform is the config's, checked against each one asked for.
LockedPlatform lock_single(registry::Client& client, const ref::Reference& reference,
                           const registry::FetchedManifest& fetched,
                           const PlatformSelection& selection, cache::BlobCache* cache) {
  image::Manifest manifest = image::Manifest::parse(fetched.raw);
  image::ImageConfig config = pull::fetch_config(client, reference.repository, manifest, cache);
  if (config.os().empty() || config.architecture().empty()) {
    throw Error(ErrorKind::kFormat, "image " + fetched.digest.string() +
                                        ": its config names no os and architecture to pin");
  }
  registry::ResolvedImage resolved{std::nullopt, fetched, manifest};
  if (selection.mode == PlatformSelection::Mode::kListed) {
    for (const image::Platform& wanted : selection.platforms) {
      pull::check_requested_platform(resolved, config, wanted);
    }
  }
  LockedBlob blob{fetched.digest.string(),
                  media_type_of(manifest.media_type(), image::DocumentKind::kImageManifest),
                  fetched.raw.size()};
  image::Platform platform{config.os(), config.architecture(), config.variant()};
  return lock_manifest(manifest, blob, std::move(platform), config);
}

}  // namespace

LockedImage lock_image(registry::Client& client, std::string_view text,
                       const ref::Reference& reference, const PlatformSelection& selection,
                       cache::BlobCache* cache) {
  registry::FetchedManifest top =
      client.fetch_manifest(reference.repository, reference.identifier());
  LockedImage image;
  image.reference = std::string(text);
  image.registry = reference.registry.api_host();
  image.repository = reference.repository;
  if (!reference.digest) image.tag = reference.tag;
  image.digest = top.digest.string();
  image::DocumentKind kind = image::classify(top.raw, top.content_type);
  if (kind == image::DocumentKind::kImageManifest) {
    image.media_type = media_type_of(image::Manifest::parse(top.raw).media_type(), kind);
    image.platforms.push_back(lock_single(client, reference, top, selection, cache));
    return image;
  }
  image::Index index = image::Index::parse(top.raw);
  image.media_type = media_type_of(index.media_type(), kind);
  for (const image::Descriptor& entry : select_entries(index, selection)) {
    image.platforms.push_back(lock_entry(client, reference, entry, cache));
  }
  return image;
}

std::vector<PinChange> stale_pins(const Lockfile& lockfile, const CurrentDigest& current) {
  std::vector<PinChange> stale;
  for (const LockedImage& image : lockfile.images) {
    if (!image.tag) continue;
    std::string now = current(image);
    if (now != image.digest) stale.push_back({image.reference, image.digest, now});
  }
  return stale;
}

Lockfile update_lockfile(const Lockfile& lockfile, const CurrentDigest& current,
                         const Relock& relock, std::vector<PinChange>& changes) {
  Lockfile updated = lockfile;
  for (LockedImage& image : updated.images) {
    if (!image.tag || current(image) == image.digest) continue;
    LockedImage relocked = relock(image);
    // The tag may have moved again between the two requests: what was pinned is what counts.
    if (relocked.digest != image.digest) {
      changes.push_back({image.reference, image.digest, relocked.digest});
    }
    image = std::move(relocked);
  }
  return updated;
}

}  // namespace hocker::lock
