// The sources of one pull: mirrors (pull-through caches) tried in order for the requests their
// pull-from-mirror mode serves, then the primary location. Whatever a mirror sends is verified
// against its digest before any of it goes on; a mirror that fails is skipped (one warning per
// mirror) and the next source answers. The plan itself comes from mirror/source_plan.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hocker/base/byte_sink.h"
#include "hocker/base/error.h"
#include "hocker/cache/blob_cache.h"
#include "hocker/digest/digest.h"
#include "hocker/image/descriptor.h"
#include "hocker/image/image_config.h"
#include "hocker/image/manifest.h"
#include "hocker/mirror/registries_conf.h"
#include "hocker/mirror/source_plan.h"
#include "hocker/registry/client.h"

namespace hocker::pull {

/// A mirror's client (configured with its own credentials and the ?ns= query) and the
/// repository the pull's repository has there.
struct Mirror {
  std::unique_ptr<registry::Client> client;
  std::string repository;
  mirror::PullFromMirror pull_from_mirror = mirror::PullFromMirror::kDigestOnly;
};

/// Where the blobs of a pull came from (configs included; blobs read from the cache count in
/// neither).
struct SourceCounts {
  std::int64_t mirror_blobs = 0;   ///< blobs a mirror served (verified)
  std::int64_t mirror_bytes = 0;   ///< their bytes
  std::int64_t primary_blobs = 0;  ///< blobs fetched from the primary location
  std::int64_t mirror_misses = 0;  ///< mirror requests that failed and fell to the next source
};

/// Told once per mirror, the first time it fails (the CLI prints a warning).
using MirrorWarning = std::function<void(const std::string& message)>;

/// Thread-safe: layer workers fetch blobs concurrently.
class Sources {
 public:
  /// The primary location only (borrowed: it must outlive this object).
  Sources(registry::Client& primary, std::string repository);
  /// `mirrors` in order, then `primary` (owned). `pulled_by_tag`: the pull's reference names
  /// no digest (the tag-only rule).
  Sources(std::unique_ptr<registry::Client> primary, std::string repository,
          std::vector<Mirror> mirrors, bool pulled_by_tag, MirrorWarning warning);
  ~Sources();
  Sources(const Sources&) = delete;
  Sources& operator=(const Sources&) = delete;

  registry::Client& primary() { return *primary_; }
  /// The repository at the primary location.
  const std::string& repository() const { return repository_; }
  bool has_mirrors() const { return !mirrors_.empty(); }

  /// The manifest `identifier` names. By digest: from the first mirror serving digests that
  /// answers with the right bytes (registry::Client verifies them), else the primary. By tag:
  /// from the mirrors serving tags, else the primary; when none serves tags but one serves
  /// digests, the tag is resolved at the primary (a HEAD) and its manifest fetched by digest.
  registry::FetchedManifest fetch_manifest(const std::string& identifier);

  /// Streams `blob` into `sink` (write() only), like pull::fetch_blob. A mirror's bytes are
  /// verified before any reaches `sink`: through `cache` when given, else through a temporary
  /// file in `spool_dir` (empty: $TMPDIR or /tmp). Falls to the next source on a mirror's
  /// failure; the primary's errors are rethrown.
  void fetch_blob(const image::Descriptor& blob, ByteSink& sink, cache::BlobCache* cache);

  /// pull::fetch_config through the sources.
  image::ImageConfig fetch_config(const image::Manifest& manifest, cache::BlobCache* cache);

  /// pull::fetch_layer through the sources: verified against `digest`, sink.finish() called.
  void fetch_layer(const digest::Digest& digest, ByteSink& sink, cache::BlobCache* cache);

  void set_spool_dir(std::string directory) { spool_dir_ = std::move(directory); }
  SourceCounts counts() const;

 private:
  struct MirrorState;
  bool serves(const Mirror& mirror, mirror::Request request) const;
  bool any_serves(mirror::Request request) const;
  /// Whether mirror `index` may still be asked (not given up on).
  bool usable(std::size_t index);
  /// Counts a mirror's failure, warns the first time, gives up on a mirror that is down.
  /// Rethrows errors that are not the mirror's fault.
  void fall_through(std::size_t index, const Error& error);
  void fetch_verified(Mirror& mirror, const image::Descriptor& blob, ByteSink& sink,
                      cache::BlobCache* cache);
  std::optional<std::int64_t> fetch_blob_size(const digest::Digest& digest);

  std::unique_ptr<registry::Client> owned_primary_;
  registry::Client* primary_;
  std::string repository_;
  std::vector<Mirror> mirrors_;
  bool pulled_by_tag_ = true;
  MirrorWarning warning_;
  std::string spool_dir_;
  std::mutex mutex_;  // Guards states_.
  std::vector<MirrorState> states_;
  std::atomic<std::int64_t> mirror_blobs_{0};
  std::atomic<std::int64_t> mirror_bytes_{0};
  std::atomic<std::int64_t> primary_blobs_{0};
  std::atomic<std::int64_t> mirror_misses_{0};
};

}  // namespace hocker::pull
