#include "hocker/registry/client.h"

#include <thread>

#include "hocker/base/error.h"
#include "hocker/image/manifest.h"
#include "hocker/image/media_types.h"
#include "hocker/registry/call.h"
#include "hocker/registry/registry_error.h"

namespace hocker::registry {

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

std::string with_query(const std::string& url, const std::string& query) {
  if (query.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

Client::Client(ref::Registry registry, std::shared_ptr<auth::Authenticator> authenticator,
               ClientOptions options)
    : registry_(std::move(registry)),
      authenticator_(std::move(authenticator)),
      options_(std::move(options)),
      free_range_workers_(options_.blob_ranges.connections) {
  if (options_.plain_http)
    scheme_ = "http";
  else if (!registry_.scheme.empty())
    scheme_ = registry_.scheme;
  else if (!registry_.is_loopback())
    scheme_ = "https";
}

Client::~Client() {
  wait_for_warming();
}

http::Response Client::attempt(Call& call, int attempt_number) {
  move_to_https(call);  // Built before another request settled the scheme on https.
  http::Request request;
  request.method = call.method;
  request.url = call.send_credentials == SendCredentials::kYes
                    ? with_query(call.url, options_.query)
                    : call.url;
  request.headers = call.headers;
  if (!call.body.empty()) request.body_view = call.body;
  request.body_reader = call.body_reader;
  request.body_length = call.body_length;
  bool probe = is_probe(call);  // Never with credentials: the wire may be plain text to TLS.
  TransportLease transport(*this);
  if (call.send_credentials == SendCredentials::kYes && call.auth_rounds == 0) {
    // A token remembered (or a realm to ask at once) saves the 401 round trip; registry
    // connections open while a remembered realm is asked.
    bool warming = false;
    authenticator_->prepare(
        *transport, call.scope, call.url,
        probe ? auth::Authenticator::Fetch::kNo : auth::Authenticator::Fetch::kYes,
        [&warming, this] { warming = warm_for_remembered_realm(); });
    if (warming) {
      wait_for_warming();
      transport.trade_for_pooled();
    }
  }
  bool authorized = false;
  if (std::string authorization = call.send_credentials == SendCredentials::kNo || probe
                                      ? ""
                                      : authenticator_->authorization(call.scope);
      !authorization.empty()) {
    request.headers.push_back({"Authorization", std::move(authorization)});
    authorized = true;
  }
  // A bounded range already delivered came from a 200 that ignored it: ask for the rest.
  if (call.range_end >= 0 && call.delivered >= call.range_end) call.range_end = -1;
  if (call.delivered > 0 || call.range_end >= 0) request.range_start = call.delivered;
  if (call.range_end >= 0) request.range_length = call.range_end - call.delivered;
  request.partial_only = call.partial_only;
  if (call.expected_length >= 0) request.expected_length = call.expected_length - call.delivered;
  request.answer_deadline = call.answer_deadline;
  std::optional<CountingSink> counting;
  if (call.sink != nullptr) counting.emplace(*call.sink, call.delivered);
  std::int64_t delivered_before = call.delivered;
  http::Response response;
  try {
    response = (*transport).perform(request, counting ? &*counting : nullptr, call.max_body);
  } catch (const Error&) {
    // Body bytes that came over plain HTTP settle it; anything else asks whether it is TLS.
    ProbeAnswer answer =
        call.delivered > delivered_before ? ProbeAnswer::kRegistry : ProbeAnswer::kSomethingElse;
    if (probe && resend_after_settling(call, answer)) return attempt(call, attempt_number);
    throw;
  }
  if (probe && resend_after_settling(call, classify(response))) {
    return attempt(call, attempt_number);
  }
  if (response.status == 401 && call.body_reader) {
    // The streamed body is spent: the caller starts the blob again, now with credentials.
    answer_challenge(call, std::move(response), *transport, authorized);
    throw Error(ErrorKind::kNetwork,
                what_of(call.method, call.url) + ": authentication asked for mid-upload",
                Transient::kYes);
  }
  if (response.status == 401) {
    return answer_challenge(call, std::move(response), *transport, authorized);
  }
  return response;
}

// A 401: answers its challenge (the caller sends the request again), at most twice per call.
http::Response Client::answer_challenge(Call& call, http::Response response,
                                        http::Transport& transport, bool authorized) {
  std::string what = what_of(call.method, call.url);
  if (!authorized && call.auth_rounds < 2 && call.send_credentials == SendCredentials::kYes &&
      !authenticator_->authorization(call.scope).empty()) {
    // A probe went without the token we hold: send it again with it, no new token needed.
    ++call.auth_rounds;
    return response;
  }
  auto challenge = response.headers.get("WWW-Authenticate");
  if (!challenge || call.auth_rounds >= 2 || call.send_credentials == SendCredentials::kNo) {
    Error refused = error_for_status(what, response.status, response.body);
    std::string hint = authenticator_->has_credentials()
                           ? " (credentials refused)"
                           : " (no credentials given: use --username/--password, --token, "
                             "--credentials-file or a docker config)";
    throw Error(ErrorKind::kAuth, std::string(refused.what()) + hint);
  }
  ++call.auth_rounds;
  warm_connection(*challenge);  // Opens a second connection while the token is fetched.
  authenticator_->handle_challenge(transport, *challenge, call.scope, call.url);
  return response;
}

http::Response Client::send(Call& call) {
  RetryPolicy policy = options_.retry;
  if (call.attempts > 0) policy.attempts = call.attempts;
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
      throw Error(std::move(error));
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
  call.url = request_base_url() + "/v2/" + repository + "/manifests/" + identifier;
  call.scope = pull_scope(repository);
  call.headers.push_back({"Accept", image::manifest_accept_header()});
  call.max_body = image::kMaxManifestSize;
  http::Response response = send(call);
  // Hashed with the algorithm asked for: a sha512 pin is checked with sha512, not sha256.
  std::optional<digest::Digest> expected = digest::Digest::try_parse(identifier);
  digest::Hasher hasher(expected ? expected->algorithm() : digest::Algorithm::kSha256);
  hasher.update(response.body);
  digest::Digest actual = hasher.digest();
  if (expected && *expected != actual) {
    throw Error(ErrorKind::kIntegrity, "manifest " + repository + "@" + identifier +
                                           ": digest mismatch: got " + actual.string());
  }
  return {std::move(response.body), response.headers.get("Content-Type").value_or(""), actual};
}

digest::Digest Client::fetch_manifest_digest(const std::string& repository,
                                             const std::string& identifier) {
  Call call;
  call.method = "HEAD";
  call.url = request_base_url() + "/v2/" + repository + "/manifests/" + identifier;
  call.scope = pull_scope(repository);
  call.headers.push_back({"Accept", image::manifest_accept_header()});
  http::Response response = send(call);
  std::optional<digest::Digest> asked = digest::Digest::try_parse(identifier);
  if (auto header = response.headers.get("Docker-Content-Digest")) {
    auto digest = digest::Digest::try_parse(*header);
    if (digest && (!asked || asked->algorithm() == digest->algorithm())) return *digest;
  }
  return fetch_manifest(repository, identifier).digest;
}

void Client::fetch_blob(const std::string& repository, const image::Descriptor& blob,
                        ByteSink& sink, std::int64_t offset) {
  if (options_.blob_ranges.connections > 1 &&
      blob.size - offset > options_.blob_ranges.chunk_size) {
    RangedFetchOptions ranges = options_.blob_ranges;
    ranges.free_workers = &free_range_workers_;
    fetch_ranged(
        offset, blob.size,
        [&](std::int64_t start, std::int64_t length, ByteSink& chunk_sink) {
          return fetch_blob_range(repository, blob, start, length, chunk_sink);
        },
        sink, ranges);
    return;
  }
  Call call;
  call.url = request_base_url() + "/v2/" + repository + "/blobs/" + blob.digest.string();
  call.scope = pull_scope(repository);
  call.sink = &sink;
  call.expected_length = blob.size;
  call.delivered = offset;
  // A config is a small document even when it streams (through the cache): a server
  // dripping it must not hold us for ever. Layers of any size are bounded by stalls only.
  if (blob.media_type == image::media_type::kDockerConfig ||
      blob.media_type == image::media_type::kOciConfig) {
    call.answer_deadline = http::AnswerDeadline::kAlways;
  }
  send(call);
}

// One chunk of a ranged fetch: a bounded Range request, resumed within the chunk on retries.
std::int64_t Client::fetch_blob_range(const std::string& repository, const image::Descriptor& blob,
                                      std::int64_t start, std::int64_t length, ByteSink& sink) {
  Call call = range_call(repository, blob, start, length, sink);
  send(call);
  return call.delivered;
}

// A GET of bytes [start, start + length) of `blob` into `sink`.
Client::Call Client::range_call(const std::string& repository, const image::Descriptor& blob,
                                std::int64_t start, std::int64_t length, ByteSink& sink) {
  Call call;
  call.url = request_base_url() + "/v2/" + repository + "/blobs/" + blob.digest.string();
  call.scope = pull_scope(repository);
  call.sink = &sink;
  call.expected_length = blob.size;
  call.delivered = start;
  call.range_end = start + length;
  return call;
}

std::optional<std::string> Client::read_blob_bytes(const std::string& repository,
                                                   const image::Descriptor& blob,
                                                   std::int64_t start, std::int64_t length) {
  if (start < 0 || length <= 0 || start + length > blob.size || length > (1 << 16)) {
    return std::nullopt;
  }
  struct Collect final : ByteSink {
    std::string bytes;
    void write(Bytes data) override {
      bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    }
    void finish() override {}
  } collect;
  Call call = range_call(repository, blob, start, length, collect);
  call.partial_only = true;
  call.attempts = 1;
  call.answer_deadline = http::AnswerDeadline::kAlways;
  try {
    send(call);
  } catch (const Error&) {
    return std::nullopt;  // A hint only: whatever went wrong, the caller does without.
  }
  if (collect.bytes.size() != static_cast<std::size_t>(length)) return std::nullopt;
  return std::move(collect.bytes);
}

std::optional<std::int64_t> Client::fetch_blob_size(const std::string& repository,
                                                    const digest::Digest& digest) {
  Call call;
  call.method = "HEAD";
  call.url = request_base_url() + "/v2/" + repository + "/blobs/" + digest.string();
  call.scope = pull_scope(repository);
  http::Response response = send(call);
  auto length = response.headers.get("Content-Length");
  if (!length || length->empty() || length->size() > 18) return std::nullopt;
  std::int64_t size = 0;
  for (char c : *length) {
    if (c < '0' || c > '9') return std::nullopt;
    size = size * 10 + (c - '0');
  }
  return size;
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
    call.send_credentials = SendCredentials::kNo;
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
  throw Error(std::move(*last));
}

std::string Client::fetch_small_blob(const std::string& repository, const image::Descriptor& blob,
                                     std::size_t max_size) {
  std::string what = "blob " + blob.digest.string();
  if (blob.size < 0 || static_cast<std::size_t>(blob.size) > max_size) {
    throw Error(ErrorKind::kFormat, what + ": declared size " + std::to_string(blob.size) +
                                        " exceeds the limit of " + std::to_string(max_size));
  }
  Call call;
  call.url = request_base_url() + "/v2/" + repository + "/blobs/" + blob.digest.string();
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
