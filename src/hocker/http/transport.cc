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
#include "hocker/http/curl_global.h"

namespace hocker::http {
namespace {

constexpr int kMaxRedirects = 10;
constexpr long kBufferSize = 64L << 10;
// Real registries send a few KiB of headers; a server streaming endless ones is refused.
constexpr std::size_t kMaxHeaderBytes = 256u << 10;
using Clock = std::chrono::steady_clock;

bool is_success(long status) {
  return status >= 200 && status < 300;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
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
  Exchange(const Request& request, ByteSink* sink, std::size_t max_body, long stall_seconds)
      : request_(request),
        sink_(sink),
        max_body_(max_body),
        stall_limit_(std::chrono::seconds(stall_seconds)),
        last_activity_(Clock::now()) {}

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
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
    return static_cast<Exchange*>(self)->stalled() ? 1 : 0;
  }

  std::string what() const { return request_.method + " " + redact_url(request_.url); }
  Response& response() { return response_; }
  std::exception_ptr error() const { return error_; }
  bool truncated() const { return truncated_; }

 private:
  bool header_line(std::string_view line) noexcept;
  bool body_data(const char* data, std::size_t size) noexcept;
  void check_final_headers();
  bool stalled() noexcept;

  const Request& request_;
  ByteSink* sink_;
  std::size_t max_body_;
  Response response_;
  long status_ = 0;
  std::int64_t to_skip_ = 0;
  std::exception_ptr error_;
  bool truncated_ = false;
  std::size_t header_bytes_ = 0;  // Of every response in this exchange (1xx included).
  std::chrono::steady_clock::duration stall_limit_;
  Clock::time_point last_activity_;
};

// libcurl's own low-speed check averages over a window of several seconds, so a transfer
// that received some bytes before stalling would outlive the stall timeout: we watch the
// time since the last byte ourselves (the progress callback runs about once a second).
bool Exchange::stalled() noexcept {
  if (Clock::now() - last_activity_ < stall_limit_) return false;
  try {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(stall_limit_).count();
    error_ = std::make_exception_ptr(Error(
        ErrorKind::kNetwork, what() + ": stalled: no data for " + std::to_string(seconds) + " s",
        Transient::kYes));
  } catch (...) {
    error_ = std::current_exception();
  }
  return true;
}

bool Exchange::header_line(std::string_view line) noexcept {
  last_activity_ = Clock::now();
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
    std::string_view content = trim(line);
    if (content.empty()) {
      if (status_ >= 200) check_final_headers();
      return true;
    }
    std::size_t colon = content.find(':');
    if (colon == std::string_view::npos) return true;  // Obsolete line folding: ignored.
    response_.headers.add(std::string(trim(content.substr(0, colon))),
                          std::string(trim(content.substr(colon + 1))));
    return true;
  } catch (...) {
    error_ = std::current_exception();
    return false;
  }
}

// Runs once the final response's headers are complete, before any body byte.
void Exchange::check_final_headers() {
  if (!is_success(status_)) return;
  if (request_.range_start > 0 && status_ == 200) to_skip_ = request_.range_start;
  if (request_.expected_length < 0) return;
  auto header = response_.headers.get("Content-Length");
  if (!header) return;
  auto length = parse_length(*header);
  if (!length || *length - to_skip_ != request_.expected_length) {
    throw Error(ErrorKind::kIntegrity, what() + ": Content-Length " + *header +
                                           " differs from the expected " +
                                           std::to_string(request_.expected_length) + " bytes");
  }
}

bool Exchange::body_data(const char* data, std::size_t size) noexcept {
  try {
    if (is_success(status_) && sink_ != nullptr) {
      std::size_t skipped = static_cast<std::size_t>(
          std::min<std::int64_t>(to_skip_, static_cast<std::int64_t>(size)));
      to_skip_ -= static_cast<std::int64_t>(skipped);
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

// Whether retrying the same request could succeed: everything but malformed requests and
// refused TLS.
Transient transience(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_TOO_MANY_REDIRECTS:
      return Transient::kNo;
    default:
      return Transient::kYes;
  }
}

// curl's verdict on a reply that does not even begin like HTTP. Besides a confused server,
// that is what stray bytes look like on a reused connection (a server that sent more than its
// Content-Length): a new attempt, on a new connection, may well succeed.
bool is_not_http_reply(CURLcode code, std::string_view detail) {
  return code == CURLE_UNSUPPORTED_PROTOCOL && detail.find("HTTP/0.9") != std::string_view::npos;
}

Error curl_error(const std::string& what, CURLcode code, const char* error_buffer,
                 const TransportOptions& options) {
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  if (is_not_http_reply(code, detail)) {
    return Error(ErrorKind::kNetwork, what + ": the reply is not HTTP (" + detail + ")",
                 Transient::kYes);
  }
  std::string reason = detail;
  if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_ISSUER_ERROR) {
    reason = "TLS certificate refused (" + detail +
             "); pass --ca-file PATH to trust its CA, or --insecure to skip verification";
  } else if (code == CURLE_SSL_CACERT_BADFILE) {
    reason = "cannot use CA file " + options.ca_file + " (" + detail + ")";
  } else if (code == CURLE_OPERATION_TIMEDOUT && detail.find("too slow") != std::string::npos) {
    reason = "stalled: no data for " + std::to_string(options.stall_timeout_seconds) + " s";
  } else if (code == CURLE_PARTIAL_FILE) {
    reason = "response ended early (" + detail + ")";
  }
  return Error(ErrorKind::kNetwork, what + ": " + reason, transience(code));
}

// A proxy from the environment answered CONNECT with an error: name it, so that the failure
// is not mistaken for the registry's (or, by the scheme probe, for a port without TLS).
Error proxy_refusal(const std::string& what, long status) {
  std::string reason = "the proxy refused the tunnel (" + std::to_string(status) +
                       (status == 407 ? " Proxy Authentication Required)" : ")");
  if (status == 407) {
    return Error(ErrorKind::kAuth,
                 what + ": " + reason + "; check the user:password in https_proxy or all_proxy",
                 Transient::kNo);
  }
  return Error(ErrorKind::kNetwork, what + ": " + reason,
               status >= 500 ? Transient::kYes : Transient::kNo);
}

Slist header_list(const Request& request) {
  Slist list;
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
  CURL* easy = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};

  Response perform_once(const Request& request, ByteSink* sink, std::size_t max_body);
  void set_options(const Request& request, Exchange& exchange, curl_slist* headers);
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
  if (options.tls_verify == TlsVerify::kNo) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  } else if (request.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.range_start >= 0) {
    std::string range = std::to_string(request.range_start) + "-";
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
  Exchange exchange(request, sink, max_body, options.stall_timeout_seconds);
  set_options(request, exchange, headers.get());
  CURLcode code = curl_easy_perform(easy);
  if (exchange.error()) std::rethrow_exception(exchange.error());
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && exchange.truncated())) {
    long tunnel_status = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &tunnel_status);
    if (tunnel_status >= 300) throw proxy_refusal(exchange.what(), tunnel_status);
    throw curl_error(exchange.what(), code, error_buffer, options);
  }
  Response& response = exchange.response();
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  response.url = request.url;
  return std::move(response);
}

Transport::Transport(TransportOptions options) : impl_(std::make_unique<Impl>()) {
  ensure_curl_initialised();
  impl_->options = std::move(options);
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
    if (redirects == Redirects::kDontFollow || !is_redirect(response.status)) return response;
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
    if (next_origin.empty() || next_origin != origin_of(current.url)) {
      drop_authorization(current.headers);
    }
    if (current.method == "POST" && response.status <= 303) {
      current.method = "GET";
      current.body.clear();
    }
    current.url = std::move(next);
  }
}

}  // namespace hocker::http
