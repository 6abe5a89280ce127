// The Docker Registry HTTP API v2 / OCI distribution client: manifests, blobs and tags of one
// registry, with authentication challenges answered, transient failures retried and
// interrupted blobs resumed. It moves bytes; parsing them is the image module's business.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hocker/auth/authenticator.h"
#include "hocker/base/byte_sink.h"
#include "hocker/digest/digest.h"
#include "hocker/http/transport.h"
#include "hocker/image/descriptor.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/ranged_fetch.h"
#include "hocker/registry/retry.h"
#include "hocker/registry/upload.h"

namespace hocker::registry {

/// How to reach the registry.
struct ClientOptions {
  http::TransportOptions transport;
  RetryPolicy retry;
  /// Told before each retry's wait (the CLI prints a warning); unset: retries are silent.
  RetryObserver on_retry;
  /// Talk plain HTTP whatever the registry is named with (--plain-http); otherwise the
  /// registry's scheme, https, or for a loopback registry named without one, a probe decides.
  bool plain_http = false;
  /// Appended to the URL of every request to the registry ("ns=docker.io" for a mirror, as
  /// containerd sends it); never to token realms or foreign-layer URLs. Empty: none.
  std::string query;
  /// Blobs larger than one chunk are fetched over up to this many connections with Range
  /// requests (registry/ranged_fetch.h), this many in all for concurrent blobs; connections
  /// <= 1: one stream per blob.
  RangedFetchOptions blob_ranges;
  /// For a caller about to fetch blobs concurrently: while the first Bearer challenge sends
  /// the client to the token server (the registry's one connection idle meanwhile), a second
  /// connection to the registry is opened on a thread of its own (a GET of /v2/, whatever it
  /// answers) and pooled, so that the next two concurrent requests both find one open. Only
  /// when no other connection is pooled; at most once per client. When instead the token is
  /// asked at once from a remembered realm (no challenge, no registry connection yet), two
  /// registry connections are opened that way while it is fetched, and the request waits for
  /// them. false: never.
  bool warm_connection = false;
};

/// A manifest or index exactly as the registry sent it.
struct FetchedManifest {
  std::string raw;
  std::string content_type;
  /// The digest of raw: the content address, whatever headers said. Computed with the
  /// algorithm of the digest the manifest was asked by (sha512 for a sha512 pin), else sha256.
  digest::Digest digest;
};

/// Fills the span with the next bytes of a request body and returns how many (0: the end).
using BodyReader = std::function<std::size_t(std::span<std::byte>)>;

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
  /// The base URL ("https://host:port") once the scheme is settled, else nullopt. It is settled
  /// from the start for a registry named with a scheme, with --plain-http, and for a registry
  /// not on loopback (https). A loopback registry named without a scheme may speak either: its
  /// first request (or settle_base_url()) probes plain HTTP and decides.
  std::optional<std::string> settled_base_url();

  /// The settled base URL, probing first when the scheme is not settled yet: a GET of /v2/
  /// over plain HTTP, without credentials. A registry's answer (2xx, 401, or its
  /// Docker-Distribution-API-Version header) settles on http; anything else on https when
  /// the port completes a TLS handshake, else http. Throws Error(kNetwork) when a proxy
  /// refuses the probe; a port that cannot be reached settles on http (the next request
  /// reports it).
  std::string settle_base_url();

  /// Waits for the connections ClientOptions::warm_connection opened, if any are opening (the
  /// destructor waits too).
  void wait_for_warming();

  /// GETs /v2/<repository>/manifests/<identifier> with the Accept header of docs/spec.md §2.1, at
  /// most image::kMaxManifestSize bytes. When `identifier` is a digest, the bytes are hashed
  /// with its algorithm and must match it (Error kIntegrity otherwise). Errors carry the
  /// registry's code (MANIFEST_UNKNOWN, ...): a registry that indexes manifests by sha256 only
  /// (docker distribution 2.8) answers a sha512 identifier with MANIFEST_UNKNOWN, kNotFound.
  FetchedManifest fetch_manifest(const std::string& repository, const std::string& identifier);

  /// HEADs the manifest and returns its digest from Docker-Content-Digest (a HEAD is free of
  /// Docker Hub's pull quota). Falls back to a GET when the registry sends no digest, or one
  /// of another algorithm than `identifier`'s when that is a digest (registries send sha256).
  digest::Digest fetch_manifest_digest(const std::string& repository,
                                       const std::string& identifier);

  /// Streams blob `blob` into `sink` (write() only; the caller verifies and finishes), each
  /// byte exactly once: a transfer that breaks off is resumed with a Range request. With
  /// `offset` > 0 the transfer starts there (the caller has the bytes before it).
  void fetch_blob(const std::string& repository, const image::Descriptor& blob, ByteSink& sink,
                  std::int64_t offset = 0);

  /// Bytes [start, start + length) of blob `blob` (length at most 64 KiB) from one
  /// bounded Range request, tried once; nothing when the server ignores the Range (the request
  /// is ended before the body comes) or anything else goes wrong. A hint: never verified.
  std::optional<std::string> read_blob_bytes(const std::string& repository,
                                             const image::Descriptor& blob, std::int64_t start,
                                             std::int64_t length);

  /// HEADs blob `digest` and returns its size from Content-Length, or nothing when the
  /// registry (or the CDN it redirects to) names none. Errors as for fetch_blob
  /// (BLOB_UNKNOWN: Error kNotFound).
  std::optional<std::int64_t> fetch_blob_size(const std::string& repository,
                                              const digest::Digest& digest);

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

  // The write side (registry/upload.cc, docs/spec.md §9). Requests to a repository ask for
  // its push scope; a refusal (401/403) -> Error(kAuth) saying push rights are missing. A
  // registry refusing a blob for its digest or size (DIGEST_INVALID, BLOB_UPLOAD_INVALID,
  // SIZE_INVALID) -> Error(kIntegrity).

  /// HEADs blob `digest` in `repository`: true on 200, false on 404; other answers throw as
  /// any request does.
  bool has_blob(const std::string& repository, const digest::Digest& digest);

  /// Asks the registry to mount blob `digest` of `from_repository` (same registry) into
  /// `repository` (POST ?mount=&from=, with pull scope on the source). 201: mounted. 202: not
  /// mounted, and the returned session is open for uploading the blob instead.
  MountResult mount_blob(const std::string& repository, const digest::Digest& digest,
                         const std::string& from_repository);

  /// Opens an upload session (POST /v2/<repository>/blobs/uploads/), retried like any request.
  UploadSession start_upload(const std::string& repository);

  /// Uploads a small blob whole from memory (a config): POST, then PUT ?digest= with the
  /// bytes. For blobs of any size, stream them through registry::BlobUpload.
  void put_blob(const std::string& repository, const digest::Digest& digest,
                std::string_view bytes);

  /// PATCHes `chunk` at byte `offset` of the session (Content-Range: offset-end) once, without
  /// retrying (the caller knows how to resume, see BlobUpload); follows the answer's Location
  /// into `session.url`. Returns the byte count the registry reports (its Range end + 1), or
  /// offset + chunk.size() when it reports none.
  std::int64_t send_chunk(UploadSession& session, std::int64_t offset, std::string_view chunk);

  /// GETs the session's status: how many bytes the registry holds (Range: 0-N -> N + 1).
  /// A session the registry no longer knows (404) -> Error(kNetwork, Transient::kYes) saying the
  /// upload must start again.
  std::int64_t upload_offset(UploadSession& session);

  /// Closes the session with PUT ?digest=`digest`, sending `last` as the final bytes.
  void complete_upload(UploadSession& session, const digest::Digest& digest,
                       std::string_view last = {});

  /// Closes the session with one PUT ?digest=`digest` whose body, `size` bytes, is read from
  /// `reader` as it is sent (a monolithic upload, streamed), once and without retrying: after
  /// a failure the caller starts the blob again in a new session. What `reader` throws aborts
  /// the request before its body is complete (the registry commits nothing) and propagates.
  void stream_upload(UploadSession& session, const digest::Digest& digest, std::int64_t size,
                     const BodyReader& reader);
  /// DELETEs the session, best effort (an abandoned upload; failures are ignored).
  void cancel_upload(const UploadSession& session) noexcept;

  /// PUTs manifest `raw` (as `media_type`) under `reference` (a tag or a digest) and returns
  /// its digest, computed here (with the algorithm of `reference` when it is a digest, which
  /// must then match). A Docker-Content-Digest answer that differs -> Error(kIntegrity).
  digest::Digest put_manifest(const std::string& repository, const std::string& reference,
                              const std::string& media_type, std::string_view raw);

  /// The options the client was made with (its retry policy, for callers that resume).
  const ClientOptions& options() const { return options_; }

 private:
  struct Call;
  class TransportLease;
  /// What a plain-HTTP probe of a loopback port met.
  enum class ProbeAnswer { kRegistry, kSomethingElse };

  http::Response send(Call& call);
  Call range_call(const std::string& repository, const image::Descriptor& blob, std::int64_t start,
                  std::int64_t length, ByteSink& sink);
  std::int64_t fetch_blob_range(const std::string& repository, const image::Descriptor& blob,
                                std::int64_t start, std::int64_t length, ByteSink& sink);
  http::Response send_upload(Call& call, const std::string& repository);
  static std::string upload_location(const Call& call, const http::Response& response);
  http::Response attempt(Call& call, int attempt_number);
  http::Response answer_challenge(Call& call, http::Response response, http::Transport& transport,
                                  bool authorized);
  std::string request_base_url();
  bool is_probe(const Call& call);
  bool move_to_https(Call& call);
  bool resend_after_settling(Call& call, ProbeAnswer answer);
  void settle_scheme(ProbeAnswer answer);
  static ProbeAnswer classify(const http::Response& response);
  bool speaks_tls();
  void warm_connection(std::string_view challenge);
  bool warm_for_remembered_realm();
  void start_warmers(int count);
  static constexpr long kWarmTimeoutSeconds = 5;
  static constexpr long kProbeTimeoutSeconds = 5;

  ref::Registry registry_;
  std::shared_ptr<auth::Authenticator> authenticator_;
  ClientOptions options_;
  std::mutex mutex_;    // Guards scheme_ and idle_.
  std::string scheme_;  // "http" or "https"; empty until settled.
  std::vector<std::unique_ptr<http::Transport>> idle_;
  std::atomic<int> free_range_workers_;  // Shared by every ranged blob fetch.
  std::atomic<bool> warmed_{false};      // Connections were warmed (at most once).
  std::mutex warm_mutex_;                // Guards warmers_.
  std::vector<std::thread> warmers_;     // Started by start_warmers(); joined on exit.
};

/// The pull scope of `repository` for token requests: "repository:<name>:pull".
std::string pull_scope(const std::string& repository);

}  // namespace hocker::registry
