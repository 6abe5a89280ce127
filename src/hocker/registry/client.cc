#include "hocker/registry/client.h"

#include <thread>

#include "hocker/base/error.h"
#include "hocker/image/manifest.h"
#include "hocker/image/media_types.h"
#include "hocker/registry/call.h"
#include "hocker/registry/registry_error.h"

namespace hocker::registry {

/// Borrows an idle transport (keeping its connections warm) and gives it back.
class Client::TransportLease {
 public:
  explicit TransportLease(Client& client) : client_(client) {
    std::lock_guard lock(client_.mutex_);
    if (!client_.idle_.empty()) {
      transport_ = std::move(client_.idle_.back());
      client_.idle_.pop_back();
    }
    if (!transport_) transport_ = std::make_unique<http::Transport>(client_.options_.transport);
  }
  ~TransportLease() {
    std::lock_guard lock(client_.mutex_);
    client_.idle_.push_back(std::move(transport_));
  }
  http::Transport& operator*() { return *transport_; }

 private:
  Client& client_;
  std::unique_ptr<http::Transport> transport_;
};

namespace {

/// Counts what reaches the real sink, so that a resumed transfer continues where it stopped.
class CountingSink final : public ByteSink {
 public:
  CountingSink(ByteSink& next, std::int64_t& delivered) : next_(next), delivered_(delivered) {}
  void write(Bytes data) override {
    next_.write(data);
    delivered_ += static_cast<std::int64_t>(data.size());
  }
  void finish() override {}

 private:
  ByteSink& next_;
  std::int64_t& delivered_;
};

std::string what_of(const std::string& method, const std::string& url) {
  return method + " " + http::redact_url(url);
}

Error with_attempts(const Error& error, int attempts) {
  if (attempts <= 1) return error;
  return Error(error.kind(), std::string(error.what()) + " (gave up after " +
                                 std::to_string(attempts) + " attempts)");
}

// A Retry-After longer than the policy waits: fail now rather than sleep or hammer.
Error beyond_patience(const Error& error, const RetryPolicy& policy) {
  return Error(error.kind(), std::string(error.what()) + "; the registry asks to retry after " +
                                 std::to_string(static_cast<long long>(error.retry_after())) +
                                 " s, longer than hocker waits (" +
                                 std::to_string(policy.max_retry_after.count() / 1000) + " s)");
}

// Docker Hub's 429 carries its quota in ratelimit-* headers; the user needs them.
std::string rate_limit_note(const http::Headers& headers) {
  std::string note;
  for (const char* name : {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}) {
    if (auto value = headers.get(name)) note += std::string(" ") + name + "=" + *value;
  }
  return note.empty() ? "" : "; rate limit:" + note;
}

}  // namespace

Client::Client(ref::Registry registry, std::shared_ptr<auth::Authenticator> authenticator,
               ClientOptions options)
    : registry_(std::move(registry)),
      authenticator_(std::move(authenticator)),
      options_(std::move(options)) {
  if (options_.plain_http)
    scheme_ = "http";
  else if (!registry_.scheme.empty())
    scheme_ = registry_.scheme;
  else if (!registry_.is_loopback())
    scheme_ = "https";
}

Client::~Client() = default;

std::string Client::base_url() {
  return decide_scheme() + "://" + registry_.api_host();
}

// A loopback registry named without a scheme may speak either (docker accepts both for
// localhost). The first request goes out over plain HTTP, without credentials, as a probe: a
// registry's answer (2xx, 401, or any status with its Docker-Distribution-API-Version header)
// settles on http, and the connection is reused. Anything else (a TLS port answering 400, a
// reset) falls back to a TLS handshake probe: https when the server speaks TLS (the request is
// then sent again over https), else http.
std::string Client::decide_scheme() {
  std::lock_guard lock(mutex_);
  if (!scheme_.empty()) return scheme_;
  scheme_probing_ = true;
  return "http";
}

bool Client::probing(const Call& call) {
  std::lock_guard lock(mutex_);
  return scheme_probing_ && call.url.starts_with("http://" + registry_.api_host() + "/");
}

// The answer to a probing request came (`registry`: it looked like a registry's) or did not
// (an exception). Returns true when the scheme became https and `call` must be sent again.
bool Client::settle_scheme(Call& call, bool registry) {
  {
    std::lock_guard lock(mutex_);
    if (!scheme_probing_) return false;  // Already settled: no second TLS probe.
  }
  std::string chosen = registry ? "http" : speaks_tls() ? "https" : "http";
  std::lock_guard lock(mutex_);
  if (!scheme_probing_) return false;
  scheme_probing_ = false;
  scheme_ = chosen;
  if (chosen != "https") return false;
  call.url = "https://" + call.url.substr(std::string_view("http://").size());
  return true;
}

bool Client::looks_like_registry(const http::Response& response) {
  return (response.status >= 200 && response.status < 300) || response.status == 401 ||
         response.headers.get("Docker-Distribution-API-Version").has_value();
}

// Only asks whether the server completes a TLS handshake, so it skips certificate checks:
// loading the CA bundle costs ~40 ms. The real requests verify as configured.
bool Client::speaks_tls() {
  http::TransportOptions probe_options = options_.transport;
  probe_options.connect_timeout_seconds =
      std::min(probe_options.connect_timeout_seconds, kProbeTimeoutSeconds);
  probe_options.tls_verify = http::TlsVerify::kNo;
  probe_options.ca_file.clear();
  http::Request request;
  request.url = "https://" + registry_.api_host() + "/v2/";
  request.timeout_seconds = kProbeTimeoutSeconds;
  try {
    http::Transport probe(probe_options);
    probe.perform(request, nullptr, 64u << 10, http::Redirects::kDontFollow);
    return true;
  } catch (const Error& error) {
    // A proxy refusing the tunnel says nothing about the port; its error is the user's.
    if (!error.is_transient()) throw;
    return false;
  }
}

http::Response Client::attempt(Call& call, int attempt_number) {
  (void)attempt_number;
  http::Request request;
  request.method = call.method;
  request.url = call.url;
  request.headers = call.headers;
  bool probe = probing(call);  // Never with credentials: the wire may be plain text to a TLS port.
  if (std::string authorization =
          call.anonymous || probe ? "" : authenticator_->authorization(call.scope);
      !authorization.empty()) {
    request.headers.push_back({"Authorization", std::move(authorization)});
  }
  if (call.delivered > 0) request.range_start = call.delivered;
  if (call.expected_length >= 0) request.expected_length = call.expected_length - call.delivered;
  TransportLease transport(*this);
  std::optional<CountingSink> counting;
  if (call.sink != nullptr) counting.emplace(*call.sink, call.delivered);
  http::Response response;
  try {
    response = (*transport).perform(request, counting ? &*counting : nullptr, call.max_body);
  } catch (const Error&) {
    // Body bytes already delivered came over plain HTTP: that settles it.
    if (probe && settle_scheme(call, call.delivered > 0)) {
      return attempt(call, attempt_number);
    }
    throw;
  }
  if (probe && settle_scheme(call, looks_like_registry(response))) {
    return attempt(call, attempt_number);
  }
  if (response.status == 401) {
    std::string what = what_of(call.method, call.url);
    auto challenge = response.headers.get("WWW-Authenticate");
    if (!challenge || call.auth_rounds >= 2 || call.anonymous) {
      Error refused = error_for_status(what, response.status, response.body);
      std::string hint = authenticator_->has_credentials()
                             ? " (credentials refused)"
                             : " (no credentials given: use --username/--password, --token, "
                               "--credentials-file or a docker config)";
      throw Error(ErrorKind::kAuth, std::string(refused.what()) + hint);
    }
    ++call.auth_rounds;
    authenticator_->handle_challenge(*transport, *challenge, call.scope, call.url);
  }
  return response;
}

http::Response Client::send(Call& call) {
  const RetryPolicy& policy = options_.retry;
  int attempt_number = 1;
  while (true) {
    double retry_after = -1;
    std::string failure;
    try {
      http::Response response = attempt(call, attempt_number);
      if (response.status == 401)
        continue;  // Challenge answered; authentication rounds are bounded.
      if (response.status >= 200 && response.status < 300) return response;
      Error error =
          error_for_status(what_of(call.method, call.url), response.status, response.body);
      if (response.status == 429) {
        error = Error(error.kind(), std::string(error.what()) + rate_limit_note(response.headers),
                      Transient::kYes);
      }
      if (auto header = response.headers.get("Retry-After")) {
        if (auto seconds = parse_retry_after(*header)) error.set_retry_after(*seconds);
      }
      throw error;
    } catch (const Error& error) {
      if (!error.is_transient() || attempt_number >= policy.attempts) {
        throw with_attempts(error, attempt_number);
      }
      if (error.retry_after() * 1000 > static_cast<double>(policy.max_retry_after.count())) {
        throw beyond_patience(error, policy);
      }
      retry_after = error.retry_after();
      failure = error.what();
    }
    auto delay = backoff_delay(policy, attempt_number, retry_after);
    if (options_.on_retry) {
      options_.on_retry(
          RetryNotice{failure, delay, attempt_number + 1, policy.attempts, call.delivered});
    }
    std::this_thread::sleep_for(delay);
    ++attempt_number;
  }
}

FetchedManifest Client::fetch_manifest(const std::string& repository,
                                       const std::string& identifier) {
  Call call;
  call.url = base_url() + "/v2/" + repository + "/manifests/" + identifier;
  call.scope = pull_scope(repository);
  call.headers.push_back({"Accept", image::manifest_accept_header()});
  call.max_body = image::kMaxManifestSize;
  http::Response response = send(call);
  digest::Digest actual = digest::sha256(response.body);
  if (auto expected = digest::Digest::try_parse(identifier); expected && *expected != actual) {
    throw Error(ErrorKind::kIntegrity, "manifest " + repository + "@" + identifier +
                                           ": digest mismatch: got " + actual.string());
  }
  return {std::move(response.body), response.headers.get("Content-Type").value_or(""), actual};
}

digest::Digest Client::fetch_manifest_digest(const std::string& repository,
                                             const std::string& identifier) {
  Call call;
  call.method = "HEAD";
  call.url = base_url() + "/v2/" + repository + "/manifests/" + identifier;
  call.scope = pull_scope(repository);
  call.headers.push_back({"Accept", image::manifest_accept_header()});
  http::Response response = send(call);
  if (auto header = response.headers.get("Docker-Content-Digest")) {
    if (auto digest = digest::Digest::try_parse(*header)) return *digest;
  }
  return fetch_manifest(repository, identifier).digest;
}

void Client::fetch_blob(const std::string& repository, const image::Descriptor& blob,
                        ByteSink& sink, std::int64_t offset) {
  Call call;
  call.url = base_url() + "/v2/" + repository + "/blobs/" + blob.digest.string();
  call.scope = pull_scope(repository);
  call.sink = &sink;
  call.expected_length = blob.size;
  call.delivered = offset;
  send(call);
}

void Client::fetch_external_blob(const image::Descriptor& blob, ByteSink& sink) {
  if (blob.urls.empty()) {
    throw Error(ErrorKind::kFormat, "layer " + blob.digest.string() + ": no URL to fetch it from");
  }
  std::optional<Error> last;
  for (const std::string& url : blob.urls) {
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
      last = Error(ErrorKind::kFormat, "layer " + blob.digest.string() +
                                           ": refusing its URL: only http and https are fetched");
      continue;
    }
    Call call;
    call.url = url;
    call.anonymous = true;
    call.sink = &sink;
    call.expected_length = blob.size;
    try {
      send(call);
      return;
    } catch (const Error& error) {
      // Bytes already went downstream: another mirror cannot take over mid-stream.
      if (call.delivered > 0) throw;
      last = error;
    }
  }
  throw *last;
}

std::string Client::fetch_small_blob(const std::string& repository, const image::Descriptor& blob,
                                     std::size_t max_size) {
  std::string what = "blob " + blob.digest.string();
  if (blob.size < 0 || static_cast<std::size_t>(blob.size) > max_size) {
    throw Error(ErrorKind::kFormat, what + ": declared size " + std::to_string(blob.size) +
                                        " exceeds the limit of " + std::to_string(max_size));
  }
  Call call;
  call.url = base_url() + "/v2/" + repository + "/blobs/" + blob.digest.string();
  call.scope = pull_scope(repository);
  call.max_body = max_size;
  call.expected_length = blob.size;
  http::Response response = send(call);
  if (static_cast<std::int64_t>(response.body.size()) != blob.size) {
    throw Error(ErrorKind::kIntegrity, what + ": size mismatch: expected " +
                                           std::to_string(blob.size) + " bytes, got " +
                                           std::to_string(response.body.size()));
  }
  digest::Hasher hasher(blob.digest.algorithm());
  hasher.update(response.body);
  if (digest::Digest actual = hasher.digest(); actual != blob.digest) {
    throw Error(ErrorKind::kIntegrity, what + ": digest mismatch: expected " +
                                           blob.digest.string() + ", got " + actual.string());
  }
  return std::move(response.body);
}

std::string pull_scope(const std::string& repository) {
  return "repository:" + repository + ":pull";
}

}  // namespace hocker::registry
