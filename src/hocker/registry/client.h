// The Docker Registry HTTP API v2 / OCI distribution client: manifests, blobs and tags of one
// registry, with authentication challenges answered, transient failures retried and
// interrupted blobs resumed. It moves bytes; parsing them is the image module's business.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hocker/auth/authenticator.h"
#include "hocker/base/byte_sink.h"
#include "hocker/digest/digest.h"
#include "hocker/http/transport.h"
#include "hocker/image/descriptor.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/retry.h"

namespace hocker::registry {

/// How to reach the registry.
struct ClientOptions {
  http::TransportOptions transport;
  RetryPolicy retry;
  /// Told before each retry's wait (the CLI prints a warning); unset: retries are silent.
  RetryObserver on_retry;
  /// Talk plain HTTP (--plain-http). An http:// registry URI says the same.
  bool plain_http = false;
};

/// A manifest or index exactly as the registry sent it.
struct FetchedManifest {
  std::string raw;
  std::string content_type;
  digest::Digest digest;  ///< sha256 of raw: the content address, whatever headers said.
};

/// One registry. Thread-safe: worker threads may fetch blobs concurrently; each call borrows
/// an HTTP transport (and its open connections) from a pool.
class Client {
 public:
  Client(ref::Registry registry, std::shared_ptr<auth::Authenticator> authenticator,
         ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ref::Registry& registry() const { return registry_; }
  /// The base URL in use ("https://host:port"), after deciding the scheme.
  std::string base_url();

  /// GETs /v2/<repository>/manifests/<identifier> with the Accept header of SPEC §2, at most
  /// image::kMaxManifestSize bytes. When `identifier` is a digest, the bytes must hash to it
  /// (Error kIntegrity otherwise). Errors carry the registry's code (MANIFEST_UNKNOWN, ...).
  FetchedManifest fetch_manifest(const std::string& repository, const std::string& identifier);

  /// HEADs the manifest and returns its digest from Docker-Content-Digest (a HEAD is free of
  /// Docker Hub's pull quota). Falls back to a GET when the registry sends no digest.
  digest::Digest fetch_manifest_digest(const std::string& repository,
                                       const std::string& identifier);

  /// Streams blob `blob` into `sink` (write() only; the caller verifies and finishes), each
  /// byte exactly once: a transfer that breaks off is resumed with a Range request. With
  /// `offset` > 0 the transfer starts there (the caller has the bytes before it).
  void fetch_blob(const std::string& repository, const image::Descriptor& blob, ByteSink& sink,
                  std::int64_t offset = 0);

  /// Streams a foreign (nondistributable) layer from the first of its descriptor's `urls` that
  /// answers, like fetch_blob but never with credentials: the URLs point outside the registry.
  /// Only http and https URLs are tried (Error kFormat when none is usable).
  void fetch_external_blob(const image::Descriptor& blob, ByteSink& sink);

  /// A small blob (a config) whole in memory, at most `max_size` bytes, verified against the
  /// descriptor's digest and size (Error kIntegrity).
  std::string fetch_small_blob(const std::string& repository, const image::Descriptor& blob,
                               std::size_t max_size);

  /// Every tag of `repository`, following `Link` pagination, within the bounds of
  /// registry/tag_page.h; strings that are not valid tags are left out and counted in
  /// `*dropped` when given. A page linked twice -> Error(kFormat).
  std::vector<std::string> list_tags(const std::string& repository, std::size_t* dropped = nullptr);

 private:
  struct Call;
  class TransportLease;
  http::Response send(Call& call);
  http::Response attempt(Call& call, int attempt_number);
  std::string decide_scheme();
  bool probing(const Call& call);
  bool settle_scheme(Call& call, bool registry);
  static bool looks_like_registry(const http::Response& response);
  bool speaks_tls();
  static constexpr long kProbeTimeoutSeconds = 5;

  ref::Registry registry_;
  std::shared_ptr<auth::Authenticator> authenticator_;
  ClientOptions options_;
  std::mutex mutex_;  // Guards scheme_, scheme_probing_ and idle_.
  std::string scheme_;
  bool scheme_probing_ = false;  // A loopback registry's first request is probing plain HTTP.
  std::vector<std::unique_ptr<http::Transport>> idle_;
};

/// The pull scope of `repository` for token requests: "repository:<name>:pull".
std::string pull_scope(const std::string& repository);

}  // namespace hocker::registry
