// Pulling one image of a registry, step by step, for every command that needs part of it: the
// manifest for a platform (manifest, digest, nix; a lock), its verified config (config), and
// all that the archive writer needs (image; an export, a copy). Raw bytes stay beside the
// parsed views, so nothing is re-serialised. Silent: what to print is the caller's business.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hocker/archive/blob_prefetch.h"
#include "hocker/archive/image_source.h"
#include "hocker/base/byte_sink.h"
#include "hocker/cache/blob_cache.h"
#include "hocker/image/image_config.h"
#include "hocker/image/manifest.h"
#include "hocker/image/platform.h"
#include "hocker/pull/sources.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/client.h"
#include "hocker/registry/resolve.h"

namespace hocker::pull {

/// Whether foreign (nondistributable) layers, which live at the URLs their descriptor names,
/// are fetched from there (--allow-foreign-layers) or refused.
enum class ForeignLayers { kRefuse, kFetch };

/// For a reference naming a single-platform manifest (no index to choose from): throws
/// Error(kNotFound) when the config says the image is for another platform than `requested`,
/// as docker pull --platform does. A config without os/architecture passes.
void check_requested_platform(const registry::ResolvedImage& resolved,
                              const image::ImageConfig& config, const image::Platform& requested);

/// The manifest list or OCI index `reference` names, exactly as the registry sent it. Throws
/// Error(kFormat) when it names a single-platform image instead.
registry::FetchedManifest fetch_index(registry::Client& client, const ref::Reference& reference);
/// fetch_index through `sources` (mirrors first, as their modes allow).
registry::FetchedManifest fetch_index(Sources& sources, const ref::Reference& reference);

/// One image, resolved to the image manifest for one platform; its config and blobs on demand.
/// Borrows the client or the sources, which must outlive it.
class ImagePull {
 public:
  /// Resolves `reference` (registry::resolve_image: one manifest request, two through an
  /// index) for `platform`, the platform asked for (--platform), or the host's when nullopt.
  /// `top`, when given, is what `reference` names, already fetched (several platforms of one
  /// index): it is not requested again. Throws what resolve_image throws.
  ImagePull(registry::Client& client, ref::Reference reference,
            std::optional<image::Platform> platform,
            std::optional<registry::FetchedManifest> top = std::nullopt);
  /// The same through `sources`: manifests, config and blobs from mirrors as their modes
  /// allow, then from the primary location.
  ImagePull(Sources& sources, ref::Reference reference, std::optional<image::Platform> platform,
            std::optional<registry::FetchedManifest> top = std::nullopt);

  registry::Client& client() const { return sources_.primary(); }
  Sources& sources() const { return sources_; }
  const ref::Reference& reference() const { return reference_; }
  /// The platform chosen from an index: the one asked for, else the host's.
  const image::Platform& platform() const { return platform_; }
  /// The image manifest's exact bytes and digest, and the index it came from, if any.
  const registry::ResolvedImage& resolved() const { return resolved_; }
  const image::Manifest& manifest() const { return resolved_.parsed; }

  /// The verified config (pull::fetch_config through `cache`, which may be null). When a
  /// platform was asked for, also check_requested_platform().
  image::ImageConfig fetch_config(cache::BlobCache* cache) const;
  /// Streams `blob` of this image into `sink` (write() only): a foreign layer, when `foreign`
  /// is kFetch, from its URLs and never cached; any other blob by pull::fetch_blob. Safe to
  /// call from several threads.
  void fetch_blob(const image::Descriptor& blob, ByteSink& sink, cache::BlobCache* cache,
                  ForeignLayers foreign) const;

 private:
  /// resolve_image through sources_, answering the request for the reference with `top`.
  registry::ResolvedImage resolve(std::optional<registry::FetchedManifest> top) const;

  std::unique_ptr<Sources> owned_sources_;  // The primary alone, for the client constructor.
  Sources& sources_;
  ref::Reference reference_;
  std::optional<image::Platform> requested_;
  image::Platform platform_;
  registry::ResolvedImage resolved_;
};

/// How to download the layers of an image.
struct DownloadOptions {
  cache::BlobCache* cache = nullptr;  ///< Null: no cache.
  int jobs = 0;                       ///< Concurrent layer downloads; 0 = archive::kDefaultJobs.
  ForeignLayers foreign_layers = ForeignLayers::kRefuse;
  /// The one name recorded for docker load instead of repo_tags(reference) (--tag).
  std::optional<std::string> tag;
  /// Where layers fetched ahead are spooled; empty = $TMPDIR or /tmp.
  std::string spool_dir;
  /// Digests of layers another image of the same archive fetches: not fetched ahead here.
  std::set<std::string> fetched_elsewhere;
};

/// An image ready for the archive writer: config fetched and checked, the first small layers
/// already downloading. Borrows the ImagePull, which must outlive it.
class ImageDownload {
 public:
  /// Starts fetching up to jobs() small layers ahead (archive::BlobPrefetch), then fetches the
  /// config through the cache and checks the platform (ImagePull::fetch_config), so that the
  /// registry's latency for the config and for the first layers overlap. Throws what
  /// fetch_config throws; the downloads ahead then stop.
  ImageDownload(const ImagePull& pull, const DownloadOptions& options);

  /// What to write: manifest, config, names, and a blob fetcher that serves the layers fetched
  /// ahead from their spool files and every other one through the cache.
  const archive::ImageSource& source() const { return source_; }
  /// The concurrent layer downloads to write the archive with (WriteOptions::jobs).
  int jobs() const { return jobs_; }

 private:
  static archive::ImageSource make_source(const ImagePull& pull, const DownloadOptions& options,
                                          archive::BlobPrefetch& prefetch);

  int jobs_;
  archive::BlobPrefetch prefetch_;
  archive::ImageSource source_;
};

}  // namespace hocker::pull
