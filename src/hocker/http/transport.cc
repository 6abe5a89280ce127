#include "hocker/http/transport.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <set>
#include <utility>

#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/http/curl_global.h"
#include "hocker/http/transport_errors.h"

namespace hocker::http {
namespace {

constexpr int kMaxRedirects = 10;
constexpr long kBufferSize = 64L << 10;
// An answer bounded by the answer timeout earns one more second per this many bytes, so
// that a large config on a slow link completes while a drip does not.
constexpr std::int64_t kAnswerBytesPerSecond = 64 << 10;
// Real registries send a few KiB of headers; a server streaming endless ones is refused.
constexpr std::size_t kMaxHeaderBytes = 256u << 10;
using Clock = std::chrono::steady_clock;

bool is_success(long status) {
  return status >= 200 && status < 300;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Spaces and tabs around a header line, name or value go; so does the CRLF that ends the line.
std::string_view trim_header_text(std::string_view text) {
  return trim_end(trim_start(text, " \t"));
}

std::optional<std::int64_t> parse_length(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// The state of one request/response exchange on the easy handle. The libcurl callbacks are
// noexcept: they stash an exception and return a short count, which aborts the transfer.
class Exchange {
 public:
  Exchange(const Request& request, ByteSink* sink, std::size_t max_body,
           const TransportOptions& options)
      : request_(request),
        sink_(sink),
        max_body_(max_body),
        stall_limit_(std::chrono::seconds(options.stall_timeout_seconds)),
        answer_seconds_(options.answer_timeout_seconds),
        start_(Clock::now()),
        last_activity_(start_) {}

  static std::size_t on_header(char* data, std::size_t, std::size_t size, void* self) noexcept {
    return static_cast<Exchange*>(self)->header_line(std::string_view(data, size)) ? size : 0;
  }
  static std::size_t on_body(char* data, std::size_t, std::size_t size, void* self) noexcept {
    auto* exchange = static_cast<Exchange*>(self);
    bool accepted = exchange->body_data(data, size);
    // A sink may block (a pipe to `docker load`): that time is not a stalled server.
    exchange->last_activity_ = Clock::now();
    return accepted ? size : 0;
  }
  static std::size_t on_read(char* data, std::size_t, std::size_t size, void* self) noexcept {
    auto* exchange = static_cast<Exchange*>(self);
    try {
      std::size_t got = exchange->request_.body_reader(
          std::span<std::byte>(reinterpret_cast<std::byte*>(data), size));
      // A reader may block (waiting for its producer): that time is not a stalled server.
      exchange->last_activity_ = Clock::now();
      return got;
    } catch (...) {
      exchange->error_ = std::current_exception();
      return CURL_READFUNC_ABORT;
    }
  }
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
    auto* exchange = static_cast<Exchange*>(self);
    return exchange->stalled() || exchange->overdue() ? 1 : 0;
  }

  std::string what() const { return request_.method + " " + redact_url(request_.url); }
  Response& response() { return response_; }
  std::exception_ptr error() const { return error_; }
  bool truncated() const { return truncated_; }

 private:
  bool header_line(std::string_view line) noexcept;
  bool body_data(const char* data, std::size_t size) noexcept;
  void check_final_headers();
  void check_content_range() const;
  bool stalled() noexcept;
  bool overdue() noexcept;
  void fail(const char* reason, long seconds, const char* rest) noexcept;

  const Request& request_;
  ByteSink* sink_;
  std::size_t max_body_;
  Response response_;
  long status_ = 0;
  std::int64_t to_skip_ = 0;
  std::int64_t to_deliver_ = -1;  // A 206 to a bounded Range: the bytes still due.
  std::exception_ptr error_;
  bool truncated_ = false;
  std::size_t header_bytes_ = 0;  // Of every response in this exchange (1xx included).
  std::chrono::steady_clock::duration stall_limit_;
  long answer_seconds_;        // <= 0: unbounded.
  bool streaming_ = false;     // A 2xx body is streaming into the sink: no answer deadline.
  std::int64_t received_ = 0;  // Header and body bytes, for the answer deadline.
  Clock::time_point start_;
  Clock::time_point last_activity_;
};

// Records "<what>: <reason><seconds><rest>" as a transient network error.
void Exchange::fail(const char* reason, long seconds, const char* rest) noexcept {
  try {
    error_ = std::make_exception_ptr(Error(ErrorKind::kNetwork,
                                           what() + ": " + reason + std::to_string(seconds) + rest,
                                           Transient::kYes));
  } catch (...) {
    error_ = std::current_exception();
  }
}

// libcurl's own low-speed check averages over a window of several seconds, so a transfer
// that received some bytes before stalling would outlive the stall timeout: we watch the
// time since the last byte ourselves (the progress callback runs about once a second).
bool Exchange::stalled() noexcept {
  if (Clock::now() - last_activity_ < stall_limit_) return false;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(stall_limit_).count();
  fail("stalled: no data for ", static_cast<long>(seconds), " s");
  return true;
}

// A server dripping a byte now and then is never stalled: everything but a blob's body must
// also be complete in bounded time (one second more per kAnswerBytesPerSecond received).
bool Exchange::overdue() noexcept {
  if (streaming_ || answer_seconds_ <= 0) return false;
  auto allowed = std::chrono::seconds(answer_seconds_ + received_ / kAnswerBytesPerSecond);
  if (Clock::now() - start_ < allowed) return false;
  fail("answer not complete within ", answer_seconds_,
       " s (the server sends too slowly; see --timeout)");
  return true;
}

bool Exchange::header_line(std::string_view line) noexcept {
  last_activity_ = Clock::now();
  received_ += static_cast<std::int64_t>(line.size());
  try {
    header_bytes_ += line.size();
    if (header_bytes_ > kMaxHeaderBytes) {
      throw Error(ErrorKind::kFormat, what() + ": response headers larger than " +
                                          std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (line.starts_with("HTTP/")) {
      // A new response begins (after 1xx ones): its headers replace any earlier.
      response_.headers = Headers();
      std::size_t space = line.find(' ');
      status_ = 0;
      if (space != std::string_view::npos && line.size() >= space + 4) {
        std::from_chars(line.data() + space + 1, line.data() + space + 4, status_);
      }
      return true;
    }
    std::string_view content = trim_header_text(line);
    if (content.empty()) {
      if (status_ >= 200) check_final_headers();
      return true;
    }
    std::size_t colon = content.find(':');
    if (colon == std::string_view::npos) return true;  // Obsolete line folding: ignored.
    response_.headers.add(std::string(trim_header_text(content.substr(0, colon))),
                          std::string(trim_header_text(content.substr(colon + 1))));
    return true;
  } catch (...) {
    error_ = std::current_exception();
    return false;
  }
}

// Runs once the final response's headers are complete, before any body byte.
void Exchange::check_final_headers() {
  if (!is_success(status_)) return;
  streaming_ = sink_ != nullptr && request_.answer_deadline == AnswerDeadline::kUnlessStreaming;
  if (request_.partial_only && request_.range_start >= 0 && status_ == 200) {
    throw Error(ErrorKind::kFormat, what() + ": the server ignored the Range request");
  }
  if (request_.range_start > 0 && status_ == 200) to_skip_ = request_.range_start;
  std::int64_t expected = request_.expected_length;
  if (status_ == 206 && request_.range_length > 0) {
    expected = to_deliver_ = request_.range_length;
    check_content_range();
  }
  if (expected < 0) return;
  auto header = response_.headers.get("Content-Length");
  if (!header) return;
  auto length = parse_length(*header);
  if (!length || *length - to_skip_ != expected) {
    throw Error(ErrorKind::kIntegrity, what() + ": Content-Length " + *header +
                                           " differs from the expected " +
                                           std::to_string(expected) + " bytes");
  }
}

// A 206 to a bounded Range must name the bytes asked for (RFC 9110 §14.4): "bytes N-M/total".
void Exchange::check_content_range() const {
  std::string asked = "bytes " + std::to_string(request_.range_start) + "-" +
                      std::to_string(request_.range_start + request_.range_length - 1) + "/";
  auto header = response_.headers.get("Content-Range");
  if (header && !header->starts_with(asked)) {
    throw Error(ErrorKind::kIntegrity, what() + ": Content-Range " + *header + " is not the " +
                                           asked.substr(0, asked.size() - 1) + " asked for");
  }
}

bool Exchange::body_data(const char* data, std::size_t size) noexcept {
  received_ += static_cast<std::int64_t>(size);
  try {
    if (is_success(status_) && sink_ != nullptr) {
      std::size_t skipped = static_cast<std::size_t>(
          std::min<std::int64_t>(to_skip_, static_cast<std::int64_t>(size)));
      to_skip_ -= static_cast<std::int64_t>(skipped);
      if (to_deliver_ >= 0) {
        to_deliver_ -= static_cast<std::int64_t>(size - skipped);
        if (to_deliver_ < 0) {
          throw Error(ErrorKind::kIntegrity, what() + ": more bytes than the range asked for");
        }
      }
      if (size > skipped) sink_->write(as_bytes(data + skipped, size - skipped));
      return true;
    }
    std::string& body = response_.body;
    std::size_t cap = is_success(status_) ? max_body_ : std::min(max_body_, kMaxErrorBody);
    if (body.size() + size > cap) {
      if (is_success(status_)) {
        throw Error(ErrorKind::kFormat,
                    what() + ": response body larger than " + std::to_string(max_body_) + " bytes");
      }
      body.append(data, cap - body.size());
      truncated_ = true;
      return false;
    }
    body.append(data, size);
    return true;
  } catch (...) {
    error_ = std::current_exception();
    return false;
  }
}

std::string_view payload_of(const Request& request) {
  return request.body_view.data() != nullptr ? request.body_view : std::string_view(request.body);
}

bool carries_body(const Request& request) {
  return request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
}

Slist header_list(const Request& request) {
  Slist list;
  // A body goes at once: no "Expect: 100-continue" round trip (libcurl's default for large
  // bodies), which registries answer anyway and small test servers never do.
  if (carries_body(request)) {
    curl_slist* extended = curl_slist_append(nullptr, "Expect:");
    if (extended == nullptr) throw Error(ErrorKind::kInternal, "out of memory building headers");
    list.reset(extended);
  }
  for (const Header& header : request.headers) {
    if (header.name.find_first_of("\r\n:") != std::string::npos ||
        header.value.find_first_of("\r\n") != std::string::npos) {
      throw Error(ErrorKind::kInternal, "header " + header.name + " contains a line break");
    }
    std::string line = header.name + ": " + header.value;
    curl_slist* extended = curl_slist_append(list.get(), line.c_str());
    if (extended == nullptr) throw Error(ErrorKind::kInternal, "out of memory building headers");
    (void)list.release();
    list.reset(extended);
  }
  return list;
}

void drop_authorization(std::vector<Header>& headers) {
  std::erase_if(headers, [](const Header& header) {
    return strcasecmp(header.name.c_str(), "Authorization") == 0;
  });
}

}  // namespace

struct Transport::Impl {
  TransportOptions options;
  std::string insecure_origin;  // Of options.insecure_host; "" when it names nothing.
  CURL* easy = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};

  Response perform_once(const Request& request, ByteSink* sink, std::size_t max_body);
  void set_options(const Request& request, Exchange& exchange, curl_slist* headers);
  bool verifies(const std::string& url) const {
    if (options.tls_verify == TlsVerify::kYes) return true;
    return !options.insecure_host.empty() && origin_of(url) != insecure_origin;
  }
};

void Transport::Impl::set_options(const Request& request, Exchange& exchange, curl_slist* headers) {
  // curl_easy_reset keeps live connections, the DNS cache and TLS sessions.
  curl_easy_reset(easy);
  error_buffer[0] = '\0';
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kBufferSize);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  if (request.timeout_seconds > 0) curl_easy_setopt(easy, CURLOPT_TIMEOUT, request.timeout_seconds);
  curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(easy, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!verifies(request.url)) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (request.body_reader && request.method != "POST") {
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Exchange::on_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_length));
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (carries_body(request)) {
    std::string_view payload = payload_of(request);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, payload.data());
    if (request.method != "POST")
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.range_start >= 0) {
    std::string range =
        std::to_string(request.range_start) + "-" +
        (request.range_length > 0 ? std::to_string(request.range_start + request.range_length - 1)
                                  : "");
    curl_easy_setopt(easy, CURLOPT_RANGE, range.c_str());  // libcurl copies the string.
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Exchange::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Exchange::on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &Exchange::on_progress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &exchange);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
}

Response Transport::Impl::perform_once(const Request& request, ByteSink* sink,
                                       std::size_t max_body) {
  Slist headers = header_list(request);
  Exchange exchange(request, sink, max_body, options);
  set_options(request, exchange, headers.get());
  CURLcode code = curl_easy_perform(easy);
  if (exchange.error()) std::rethrow_exception(exchange.error());
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && exchange.truncated())) {
    long tunnel_status = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &tunnel_status);
    if (tunnel_status >= 300) throw proxy_refusal(exchange.what(), tunnel_status);
    throw curl_error(exchange.what(), code, error_buffer, options,
                     options.tls_verify == TlsVerify::kNo);
  }
  Response& response = exchange.response();
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  response.url = request.url;
  return std::move(response);
}

Transport::Transport(TransportOptions options) : impl_(std::make_unique<Impl>()) {
  ensure_curl_initialised();
  impl_->options = std::move(options);
  if (!impl_->options.insecure_host.empty()) {
    impl_->insecure_origin = origin_of("https://" + impl_->options.insecure_host);
  }
  impl_->easy = curl_easy_init();
  if (impl_->easy == nullptr) throw Error(ErrorKind::kInternal, "cannot create a curl handle");
}

Transport::~Transport() {
  if (impl_ && impl_->easy != nullptr) curl_easy_cleanup(impl_->easy);
}

Transport::Transport(Transport&&) noexcept = default;
Transport& Transport::operator=(Transport&& other) noexcept {
  if (this != &other) {
    if (impl_ && impl_->easy != nullptr) curl_easy_cleanup(impl_->easy);
    impl_ = std::move(other.impl_);
  }
  return *this;
}

Response Transport::perform(const Request& request, ByteSink* sink, std::size_t max_body,
                            Redirects redirects) {
  Request current = request;
  std::set<std::string> visited{current.url};
  for (int hops = 0;; ++hops) {
    Response response = impl_->perform_once(current, sink, max_body);
    if (redirects == Redirects::kDontFollow || !is_redirect(response.status) ||
        request.body_reader) {
      return response;
    }
    auto location = response.headers.get("Location");
    if (!location) return response;
    std::string what = current.method + " " + redact_url(request.url);
    if (hops == kMaxRedirects) {
      throw Error(ErrorKind::kNetwork,
                  what + ": more than " + std::to_string(kMaxRedirects) + " redirects");
    }
    std::string next = resolve_location(current.url, *location);
    if (!visited.insert(next).second) {
      throw Error(ErrorKind::kNetwork, what + ": redirect loop at " + redact_url(next));
    }
    std::string next_origin = origin_of(next);
    bool same_origin = !next_origin.empty() && next_origin == origin_of(current.url);
    if (current.method == "POST" && response.status <= 303) {
      current.method = "GET";
      current.body.clear();
      current.body_view = {};
    }
    if (!same_origin) {
      // A body may carry a secret (a refresh token): it goes to no one but its addressee.
      if (!payload_of(current).empty()) {
        throw Error(ErrorKind::kNetwork, what + ": refusing a " + std::to_string(response.status) +
                                             " redirect to another origin (" + redact_url(next) +
                                             "): the request body is not sent elsewhere");
      }
      drop_authorization(current.headers);
    }
    current.url = std::move(next);
  }
}

}  // namespace hocker::http
