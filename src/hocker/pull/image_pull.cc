#include "hocker/pull/image_pull.h"

#include <utility>

#include "hocker/archive/image_archive.h"
#include "hocker/archive/image_names.h"
#include "hocker/archive/spool_file.h"
#include "hocker/base/error.h"
#include "hocker/pull/blob_pull.h"

namespace hocker::pull {

void check_requested_platform(const registry::ResolvedImage& resolved,
                              const image::ImageConfig& config, const image::Platform& requested) {
  if (resolved.index) return;  // The index already chose by platform.
  if (config.os().empty() || config.architecture().empty()) return;
  image::Platform actual{config.os(), config.architecture(), config.variant()};
  if (actual.matches(requested)) return;
  throw Error(ErrorKind::kNotFound, "image " + resolved.manifest.digest.string() + " is for " +
                                        actual.string() + " only, not for " + requested.string() +
                                        " (asked with --platform)");
}

registry::FetchedManifest fetch_index(registry::Client& client, const ref::Reference& reference) {
  registry::FetchedManifest fetched =
      client.fetch_manifest(reference.repository, reference.identifier());
  if (image::classify(fetched.raw, fetched.content_type) != image::DocumentKind::kIndex) {
    throw Error(ErrorKind::kFormat, reference.string() +
                                        " is a single-platform image, not an index: "
                                        "drop --index to print its manifest");
  }
  return fetched;
}

registry::FetchedManifest fetch_index(Sources& sources, const ref::Reference& reference) {
  registry::FetchedManifest fetched = sources.fetch_manifest(reference.identifier());
  if (image::classify(fetched.raw, fetched.content_type) != image::DocumentKind::kIndex) {
    throw Error(ErrorKind::kFormat, reference.string() +
                                        " is a single-platform image, not an index: "
                                        "drop --index to print its manifest");
  }
  return fetched;
}

ImagePull::ImagePull(registry::Client& client, ref::Reference reference,
                     std::optional<image::Platform> platform,
                     std::optional<registry::FetchedManifest> top)
    : owned_sources_(std::make_unique<Sources>(client, reference.repository)),
      sources_(*owned_sources_),
      reference_(std::move(reference)),
      requested_(std::move(platform)),
      platform_(requested_ ? *requested_ : image::Platform::host()),
      resolved_(resolve(std::move(top))) {}

ImagePull::ImagePull(Sources& sources, ref::Reference reference,
                     std::optional<image::Platform> platform,
                     std::optional<registry::FetchedManifest> top)
    : sources_(sources),
      reference_(std::move(reference)),
      requested_(std::move(platform)),
      platform_(requested_ ? *requested_ : image::Platform::host()),
      resolved_(resolve(std::move(top))) {}

registry::ResolvedImage ImagePull::resolve(std::optional<registry::FetchedManifest> top) const {
  return registry::resolve_image(
      [&](const std::string& identifier) {
        // resolve_image asks for the reference first, then for a digest the index names.
        if (top && identifier == reference_.identifier()) {
          registry::FetchedManifest given = std::move(*top);
          top.reset();
          return given;
        }
        return sources_.fetch_manifest(identifier);
      },
      reference_, platform_);
}

image::ImageConfig ImagePull::fetch_config(cache::BlobCache* cache) const {
  image::ImageConfig config = sources_.fetch_config(manifest(), cache);
  if (requested_) check_requested_platform(resolved_, config, *requested_);
  return config;
}

void ImagePull::fetch_blob(const image::Descriptor& blob, ByteSink& sink, cache::BlobCache* cache,
                           ForeignLayers foreign) const {
  if (foreign == ForeignLayers::kFetch && !blob.urls.empty()) {
    client().fetch_external_blob(blob, sink);  // Outside the registry: not cached.
    return;
  }
  sources_.fetch_blob(blob, sink, cache);
}

namespace {

archive::PrefetchLimits prefetch_limits(int jobs) {
  archive::PrefetchLimits limits;
  limits.max_blobs = static_cast<std::size_t>(jobs);
  return limits;
}

// The layers to fetch ahead: those no other image of the archive fetches.
std::vector<image::Descriptor> layers_ahead(const ImagePull& pull, const DownloadOptions& options) {
  std::vector<image::Descriptor> layers;
  for (const image::Descriptor& layer : pull.manifest().layers()) {
    if (!options.fetched_elsewhere.contains(layer.digest.string())) layers.push_back(layer);
  }
  return layers;
}

archive::BlobFetcher blob_fetcher(const ImagePull& pull, const DownloadOptions& options) {
  return [&pull, cache = options.cache, foreign = options.foreign_layers](
             const image::Descriptor& blob, ByteSink& sink) {
    pull.fetch_blob(blob, sink, cache, foreign);
  };
}

// A few bytes of a registry blob: one ranged request.
archive::BlobRangeReader range_reader(const ImagePull& pull) {
  return [&pull](const image::Descriptor& blob, std::int64_t offset,
                 std::int64_t length) -> std::optional<std::string> {
    if (!blob.urls.empty() || offset < 0 || length <= 0 || offset + length > blob.size) {
      return std::nullopt;
    }
    return pull.client().read_blob_bytes(pull.sources().repository(), blob, offset, length);
  };
}

}  // namespace

ImageDownload::ImageDownload(const ImagePull& pull, const DownloadOptions& options)
    : jobs_(options.jobs > 0 ? options.jobs : archive::kDefaultJobs),
      // Small layers start downloading while the config is on its way (latency hiding).
      prefetch_(layers_ahead(pull, options), blob_fetcher(pull, options),
                archive::spool_directory(options.spool_dir), prefetch_limits(jobs_)),
      source_(make_source(pull, options, prefetch_)) {}

archive::ImageSource ImageDownload::make_source(const ImagePull& pull,
                                                const DownloadOptions& options,
                                                archive::BlobPrefetch& prefetch) {
  image::ImageConfig config = pull.fetch_config(options.cache);
  archive::ImageNames names = archive::image_names(pull.reference(), options.tag);
  archive::ImageSource source{pull.manifest(),
                              std::move(config),
                              std::move(names.repo_tags),
                              std::move(names.oci_ref_name),
                              std::move(names.oci_image_name),
                              prefetch.fetcher(),
                              options.foreign_layers == ForeignLayers::kFetch};
  // With a cache, every blob request is one the cache accounts for: no extra reads there yet.
  // With mirrors, a read would reach the primary registry the mirrors are there to spare.
  if (options.cache == nullptr && !pull.sources().has_mirrors()) {
    source.read_range = range_reader(pull);
  }
  return source;
}

}  // namespace hocker::pull
