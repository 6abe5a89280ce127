// Where blob bytes come from: the registry, through the optional blob cache (--cache DIR or
// HOCKER_CACHE), so that a blob already fetched is never downloaded again.
#pragma once

#include <memory>
#include <string>

#include "hocker/cache/blob_cache.h"
#include "hocker/image/descriptor.h"
#include "hocker/image/image_config.h"
#include "hocker/image/manifest.h"
#include "hocker/registry/client.h"

namespace hocker::cli {

/// Streams `blob` into `sink` (write() only): from the cache when it holds it; otherwise from
/// the registry, storing it in the cache on the way (resuming a partial download it kept).
/// With `cache` null, straight from the registry.
void fetch_blob_through_cache(registry::Client& client, const std::string& repository,
                              const image::Descriptor& blob, ByteSink& sink,
                              cache::BlobCache* cache);

/// The verified configuration of `manifest`, through the cache like any other blob, so that a
/// warm pull asks the registry for manifests only.
image::ImageConfig fetch_config_through_cache(registry::Client& client,
                                              const std::string& repository,
                                              const image::Manifest& manifest,
                                              cache::BlobCache* cache);

/// The cache the user asked for (flag, else HOCKER_CACHE), or null.
std::unique_ptr<cache::BlobCache> open_cache(const std::string& flag);

}  // namespace hocker::cli
