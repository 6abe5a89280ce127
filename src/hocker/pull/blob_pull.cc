#include "hocker/pull/blob_pull.h"

#include "hocker/base/error.h"
#include "hocker/base/tee_sink.h"
#include "hocker/blob/sinks.h"
#include "hocker/image/media_types.h"

namespace hocker::pull {
namespace {

// Fills the cache entry `writer` holds (resuming its partial file) while streaming into `sink`.
void fetch_into_cache(registry::Client& client, const std::string& repository,
                      const image::Descriptor& blob, ByteSink& sink, cache::BlobWriter& writer) {
  std::int64_t offset = writer.offset();
  try {
    if (offset > 0) writer.replay(sink);
    // A partial file holding the whole blob needs no request: a Range starting at the end
    // earns a 416 (which distribution 2.8 even sends with a wrong Content-Length).
    if (!writer.holds_whole_blob()) {
      TeeSink tee(writer, sink, TeeFinish::kKeepOpen);  // The cache file first, then on.
      client.fetch_blob(repository, blob, tee, offset);
    }
  } catch (const Error& error) {
    // Bytes the consumer refused may be in the partial file; network failures and a stop
    // because another layer failed leave a good prefix to resume from.
    if (error.kind() == ErrorKind::kIntegrity || error.kind() == ErrorKind::kFormat) {
      writer.discard();
    }
    throw;
  }
  writer.commit();
}

}  // namespace

void fetch_blob(registry::Client& client, const std::string& repository,
                const image::Descriptor& blob, ByteSink& sink, cache::BlobCache* cache) {
  if (cache == nullptr) {
    client.fetch_blob(repository, blob, sink);
    return;
  }
  if (cache->read(blob.digest, sink, blob.size)) return;
  std::unique_ptr<cache::BlobWriter> writer = cache->begin(blob.digest, blob.size);
  if (!writer) {  // Another process finished it while we waited.
    cache->read(blob.digest, sink, blob.size);
    return;
  }
  fetch_into_cache(client, repository, blob, sink, *writer);
}

image::ImageConfig fetch_config(registry::Client& client, const std::string& repository,
                                const image::Manifest& manifest, cache::BlobCache* cache) {
  const image::Descriptor& config = manifest.config();
  if (cache == nullptr) {
    // One request whose body the client bounds and verifies.
    return image::ImageConfig::parse(
        client.fetch_small_blob(repository, config, image::kMaxConfigSize));
  }
  std::string subject = "config " + config.digest.string();
  if (config.size < 0 || static_cast<std::size_t>(config.size) > image::kMaxConfigSize) {
    throw Error(ErrorKind::kFormat, subject + ": declared size " + std::to_string(config.size) +
                                        " exceeds the limit of " +
                                        std::to_string(image::kMaxConfigSize));
  }
  blob::StringSink raw;
  // The declared size bounds what is kept: VerifySink throws past it.
  blob::VerifySink verify(subject, config.digest, config.size, raw);
  fetch_blob(client, repository, config, verify, cache);
  verify.finish();
  return image::ImageConfig::parse(raw.data());
}

void fetch_layer(registry::Client& client, const std::string& repository,
                 const digest::Digest& digest, ByteSink& sink, cache::BlobCache* cache) {
  LayerFetcher fetcher{
      [&](const digest::Digest& blob) { return client.fetch_blob_size(repository, blob); },
      [&](const image::Descriptor& blob, ByteSink& out) {
        fetch_blob(client, repository, blob, out, cache);
      }};
  fetch_layer(fetcher, digest, sink, cache);
}

void fetch_layer(const LayerFetcher& fetcher, const digest::Digest& digest, ByteSink& sink,
                 cache::BlobCache* cache) {
  std::int64_t size = -1;
  // Only a digest is given: a partial download in the cache is bounded by the size the registry
  // states (one HEAD), so a server that never stops sending cannot grow it across runs.
  if (cache != nullptr && !cache->find(digest)) {
    try {
      size = fetcher.size(digest).value_or(-1);
    } catch (const Error& error) {
      // A CDN may refuse a HEAD its signed URL was not made for: the GET still works, and a
      // partial of unknown size is bounded by how many runs may resume it. A registry that
      // cannot be reached or refuses us fails the GET the same way: say so now.
      ErrorKind kind = error.kind();
      if (kind == ErrorKind::kNetwork || kind == ErrorKind::kAuth ||
          kind == ErrorKind::kInterrupted) {
        throw;
      }
    }
  }
  image::Descriptor blob{
      std::string(image::media_type::kDockerLayerGzip), digest, size, {}, {}, {}};
  blob::VerifySink verify("layer " + digest.string(), digest, size, sink);
  fetcher.fetch(blob, verify);
  verify.finish();
}

std::unique_ptr<cache::BlobCache> open_cache(const std::string& flag) {
  auto directory = cache::cache_directory(flag);
  if (!directory) return nullptr;
  return std::make_unique<cache::BlobCache>(*directory);
}

}  // namespace hocker::pull
