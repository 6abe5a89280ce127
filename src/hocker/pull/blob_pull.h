// Where an image's blobs come from: the registry, through the optional blob cache (--cache DIR
// or HOCKER_CACHE), so that a blob already fetched is never downloaded again and an interrupted
// download resumes from the bytes the cache kept. The policy lives here, once, for every command.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hocker/base/byte_sink.h"
#include "hocker/cache/blob_cache.h"
#include "hocker/digest/digest.h"
#include "hocker/image/descriptor.h"
#include "hocker/image/image_config.h"
#include "hocker/image/manifest.h"
#include "hocker/registry/client.h"

namespace hocker::pull {

/// Streams `blob` into `sink` (write() only; the caller verifies and finishes). With `cache`
/// null, straight from the registry. Otherwise from the cache when it holds the blob, without
/// a request; else from the registry, storing it in the cache on the way: a partial download
/// the cache kept is replayed into `sink` and the transfer resumes after it with a Range
/// request, or makes no request at all when the partial already holds the whole blob. When the
/// transfer fails, the partial file is discarded on Error(kIntegrity) or Error(kFormat) (bytes
/// refused downstream would be refused again) and kept on any other error (a network failure
/// leaves a good prefix to resume from). Rethrows the error. Streams: nothing is held whole.
void fetch_blob(registry::Client& client, const std::string& repository,
                const image::Descriptor& blob, ByteSink& sink, cache::BlobCache* cache);

/// The configuration of `manifest`, verified against its descriptor (digest and size, at most
/// image::kMaxConfigSize bytes) and parsed. Through `cache` like any other blob, so that a warm
/// pull asks the registry for manifests only; with `cache` null, one bounded request. Throws
/// Error(kFormat) for an oversized declaration or a malformed config, Error(kIntegrity) for
/// bytes that do not match, and what the client throws.
image::ImageConfig fetch_config(registry::Client& client, const std::string& repository,
                                const image::Manifest& manifest, cache::BlobCache* cache);

/// Streams the blob `digest` (a layer, its size unknown) of `repository` into `sink` through
/// `cache`, verified against the digest: calls sink.finish() only once every byte matched,
/// else throws Error(kIntegrity, "layer sha256:…: …").
void fetch_layer(registry::Client& client, const std::string& repository,
                 const digest::Digest& digest, ByteSink& sink, cache::BlobCache* cache);

/// Where fetch_layer() gets a blob known by digest only: its size as the source states it (a
/// HEAD; nullopt when not stated), and its bytes (write() only, through the cache the caller
/// chose, like fetch_blob()).
struct LayerFetcher {
  std::function<std::optional<std::int64_t>(const digest::Digest&)> size;
  std::function<void(const image::Descriptor&, ByteSink&)> fetch;
};

/// fetch_layer() through `fetcher`: asks the size only when `cache` lacks the blob (it bounds
/// the partial file the cache keeps), then streams the blob into `sink` verified against
/// `digest` and that size, and calls sink.finish(). A refused size request is ignored unless it
/// is Error(kNetwork), Error(kAuth) or Error(kInterrupted), which are rethrown.
void fetch_layer(const LayerFetcher& fetcher, const digest::Digest& digest, ByteSink& sink,
                 cache::BlobCache* cache);

/// The cache the user asked for (`flag`, else HOCKER_CACHE), or null when caching is off.
/// Throws Error(kLocalIo) when its directory cannot be created.
std::unique_ptr<cache::BlobCache> open_cache(const std::string& flag);

}  // namespace hocker::pull
