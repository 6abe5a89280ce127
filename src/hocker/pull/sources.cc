#include "hocker/pull/sources.h"

#include "hocker/archive/spool_file.h"
#include "hocker/base/error.h"
#include "hocker/blob/sinks.h"
#include "hocker/pull/blob_pull.h"

namespace hocker::pull {
namespace {

using mirror::Request;

/// Drops what it is given: the cache file is where a mirror's bytes go first.
class DiscardSink final : public ByteSink {
 public:
  void write(Bytes) override {}
  void finish() override {}
};

/// Forwards to `next`, noting that something was about to go on (before the write: a
/// consumer that refuses the very first bytes is downstream's failure too) and how much.
class DeliveryWatch final : public ByteSink {
 public:
  explicit DeliveryWatch(ByteSink& next) : next_(next) {}
  void write(Bytes data) override {
    started_ = true;
    next_.write(data);
    bytes_ += static_cast<std::int64_t>(data.size());
  }
  void finish() override {}
  bool started() const { return started_; }
  std::int64_t bytes() const { return bytes_; }

 private:
  ByteSink& next_;
  bool started_ = false;
  std::int64_t bytes_ = 0;
};

// Failures that are the mirror's: it is down, refuses us, lacks the content or sends wrong
// bytes. Our own (disk, interruption, a bug) are not, and stop the pull.
bool is_mirror_failure(ErrorKind kind) {
  return kind == ErrorKind::kNetwork || kind == ErrorKind::kAuth || kind == ErrorKind::kNotFound ||
         kind == ErrorKind::kIntegrity || kind == ErrorKind::kFormat;
}

}  // namespace

struct Sources::MirrorState {
  bool warned = false;
  bool given_up = false;  // Down or refusing us: not asked again in this run.
};

Sources::Sources(registry::Client& primary, std::string repository)
    : primary_(&primary), repository_(std::move(repository)) {}

Sources::Sources(std::unique_ptr<registry::Client> primary, std::string repository,
                 std::vector<Mirror> mirrors, bool pulled_by_tag, MirrorWarning warning)
    : owned_primary_(std::move(primary)),
      primary_(owned_primary_.get()),
      repository_(std::move(repository)),
      mirrors_(std::move(mirrors)),
      pulled_by_tag_(pulled_by_tag),
      warning_(std::move(warning)),
      states_(mirrors_.size()) {}

Sources::~Sources() = default;

bool Sources::serves(const Mirror& mirror, Request request) const {
  return mirror::mirror_serves(mirror.pull_from_mirror, request, pulled_by_tag_);
}

bool Sources::any_serves(Request request) const {
  for (const Mirror& mirror : mirrors_) {
    if (serves(mirror, request)) return true;
  }
  return false;
}

bool Sources::usable(std::size_t index) {
  std::lock_guard lock(mutex_);
  return !states_[index].given_up;
}

void Sources::fall_through(std::size_t index, const Error& error) {
  if (!is_mirror_failure(error.kind())) throw error;
  ++mirror_misses_;
  bool warn = false;
  {
    std::lock_guard lock(mutex_);
    MirrorState& state = states_[index];
    warn = !state.warned;
    state.warned = true;
    if (error.kind() == ErrorKind::kNetwork || error.kind() == ErrorKind::kAuth) {
      state.given_up = true;
    }
  }
  if (warn && warning_) {
    warning_("mirror " + mirrors_[index].client->registry().domain + " failed, using the next " +
             "source: " + error.what());
  }
}

registry::FetchedManifest Sources::fetch_manifest(const std::string& identifier) {
  bool by_digest = digest::Digest::try_parse(identifier).has_value();
  Request request = by_digest ? Request::kDigest : Request::kTag;
  if (!by_digest && !any_serves(Request::kTag) && any_serves(Request::kDigest)) {
    // digest-only: the tag is the primary's word (a stale mirror cannot serve an old tag);
    // the manifest it names is content-addressed, so a mirror may serve it.
    digest::Digest digest = primary_->fetch_manifest_digest(repository_, identifier);
    return fetch_manifest(digest.string());
  }
  for (std::size_t i = 0; i < mirrors_.size(); ++i) {
    if (!serves(mirrors_[i], request) || !usable(i)) continue;
    try {
      return mirrors_[i].client->fetch_manifest(mirrors_[i].repository, identifier);
    } catch (const Error& error) {
      fall_through(i, error);
    }
  }
  return primary_->fetch_manifest(repository_, identifier);
}

// A mirror's blob into `sink`, verified first: into the cache (whose commit checks the digest),
// or into a spool file through a VerifySink. Only then does anything reach `sink`.
void Sources::fetch_verified(Mirror& mirror, const image::Descriptor& blob, ByteSink& sink,
                             cache::BlobCache* cache) {
  if (cache != nullptr) {
    DiscardSink discard;
    pull::fetch_blob(*mirror.client, mirror.repository, blob, discard, cache);
    if (!cache->read(blob.digest, sink, blob.size)) {
      throw Error(ErrorKind::kLocalIo, "blob " + blob.digest.string() +
                                           ": gone from the cache right after it was stored");
    }
    return;
  }
  archive::SpoolFile spool(archive::spool_directory(spool_dir_));
  blob::VerifySink verify(
      "blob " + blob.digest.string() + " from mirror " + mirror.client->registry().domain,
      blob.digest, blob.size, spool);
  mirror.client->fetch_blob(mirror.repository, blob, verify);
  verify.finish();
  spool.copy_to(sink);
}

void Sources::fetch_blob(const image::Descriptor& blob, ByteSink& sink, cache::BlobCache* cache) {
  if (cache != nullptr && cache->read(blob.digest, sink, blob.size)) return;
  for (std::size_t i = 0; i < mirrors_.size(); ++i) {
    if (!serves(mirrors_[i], Request::kDigest) || !usable(i)) continue;
    DeliveryWatch watch(sink);
    try {
      fetch_verified(mirrors_[i], blob, watch, cache);
    } catch (const Error& error) {
      // Once bytes went on, they were verified: the failure is downstream, not the mirror's.
      if (watch.started()) throw;
      fall_through(i, error);
      continue;
    }
    ++mirror_blobs_;
    mirror_bytes_ += watch.bytes();
    return;
  }
  pull::fetch_blob(*primary_, repository_, blob, sink, cache);
  ++primary_blobs_;
}

image::ImageConfig Sources::fetch_config(const image::Manifest& manifest, cache::BlobCache* cache) {
  const image::Descriptor& config = manifest.config();
  if (cache != nullptr && cache->find(config.digest)) {
    return pull::fetch_config(*primary_, repository_, manifest, cache);  // No request.
  }
  for (std::size_t i = 0; i < mirrors_.size(); ++i) {
    if (!serves(mirrors_[i], Request::kDigest) || !usable(i)) continue;
    try {
      // Returns only bytes that matched the descriptor.
      image::ImageConfig parsed =
          pull::fetch_config(*mirrors_[i].client, mirrors_[i].repository, manifest, cache);
      ++mirror_blobs_;
      mirror_bytes_ += config.size;
      return parsed;
    } catch (const Error& error) {
      fall_through(i, error);
    }
  }
  image::ImageConfig parsed = pull::fetch_config(*primary_, repository_, manifest, cache);
  ++primary_blobs_;
  return parsed;
}

std::optional<std::int64_t> Sources::fetch_blob_size(const digest::Digest& digest) {
  for (std::size_t i = 0; i < mirrors_.size(); ++i) {
    if (!serves(mirrors_[i], Request::kDigest) || !usable(i)) continue;
    try {
      return mirrors_[i].client->fetch_blob_size(mirrors_[i].repository, digest);
    } catch (const Error& error) {
      fall_through(i, error);
    }
  }
  return primary_->fetch_blob_size(repository_, digest);
}

void Sources::fetch_layer(const digest::Digest& digest, ByteSink& sink, cache::BlobCache* cache) {
  if (mirrors_.empty()) {
    pull::fetch_layer(*primary_, repository_, digest, sink, cache);
    return;
  }
  LayerFetcher fetcher{
      [&](const digest::Digest& blob) { return fetch_blob_size(blob); },
      [&](const image::Descriptor& blob, ByteSink& out) { fetch_blob(blob, out, cache); }};
  pull::fetch_layer(fetcher, digest, sink, cache);
}

SourceCounts Sources::counts() const {
  return {mirror_blobs_.load(), mirror_bytes_.load(), primary_blobs_.load(), mirror_misses_.load()};
}

}  // namespace hocker::pull
