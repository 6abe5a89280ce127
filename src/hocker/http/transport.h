// The HTTP transport: one libcurl easy handle per Transport, requests with headers and
// Range, bodies streamed into a ByteSink or collected, redirects followed under our own
// credential rule. Retries, auth and registry semantics are left to the callers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hocker/base/byte_sink.h"
#include "hocker/base/version.h"
#include "hocker/http/url.h"

namespace hocker::http {

struct Header {
  std::string name, value;
};

/// Response headers in arrival order, looked up case-insensitively.
class Headers {
 public:
  void add(std::string name, std::string value);
  /// The value of the first header named `name`, if any.
  std::optional<std::string> get(std::string_view name) const;
  /// Every value of headers named `name`, in arrival order.
  std::vector<std::string> get_all(std::string_view name) const;
  const std::vector<Header>& all() const { return headers_; }

 private:
  std::vector<Header> headers_;
};

/// The most of a non-2xx body that is kept (error documents are short): a longer one is cut
/// here, so a hostile server cannot make hocker hold megabytes of an error answer.
inline constexpr std::size_t kMaxErrorBody = 16u << 10;

enum class TlsVerify { kYes, kNo };

struct TransportOptions {
  TlsVerify tls_verify = TlsVerify::kYes;
  /// With TlsVerify::kNo: the one "host[:port]" (the registry named; port 443 when omitted)
  /// whose certificate goes unchecked; token realms and redirect targets elsewhere are still
  /// verified. Empty: no certificate is checked at all (a handshake-only probe).
  std::string insecure_host;
  std::string ca_file;  ///< extra CA bundle (PEM); empty = the system default
  long connect_timeout_seconds = 30;
  long stall_timeout_seconds = 30;  ///< no byte for this long mid-transfer = stalled
  /// Every answer but a 2xx body streaming into a sink (so: documents, tokens, error pages,
  /// and every answer's headers) must be complete within this many seconds, plus one second
  /// per 64 KiB received; a slow drip ends as Error(kNetwork, transient). Blobs are unbounded.
  long answer_timeout_seconds = 30;
  std::string user_agent = kUserAgent;
};

/// Whether the answer deadline (TransportOptions::answer_timeout_seconds) covers a 2xx body
/// that streams into a sink.
enum class AnswerDeadline {
  kUnlessStreaming,  ///< A blob of any size: only stalls end it.
  kAlways,           ///< A small document streamed through a cache (a config): bounded too.
};

struct Request {
  /// GET, HEAD, DELETE, or POST, PUT, PATCH (each with `body`, sent whole from memory)
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;  ///< e.g. Authorization, Accept; no line breaks allowed
  /// >= 0: send "Range: bytes=N-". Should the server ignore it and answer 200, the first N
  /// bytes are discarded, so the sink always receives the body from offset N.
  std::int64_t range_start = -1;
  /// > 0 with range_start >= 0: send "Range: bytes=N-(N+range_length-1)" instead. A 206 must
  /// then carry exactly those bytes (a Content-Range or Content-Length naming others, or more
  /// body bytes -> Error(kIntegrity)); a 200 (Range ignored) streams the whole body after the
  /// first N bytes, checked against `expected_length`. Response::status tells which.
  std::int64_t range_length = -1;
  /// With range_start >= 0: a 200 (the server ignored the Range) ends the exchange with
  /// Error(kFormat) before any body byte is received, instead of skipping to range_start.
  bool partial_only = false;
  /// >= 0: the number of body bytes the sink is to receive (for a Range request, the
  /// remainder: total - range_start). A 2xx Content-Length that disagrees ->
  /// Error(kIntegrity) before any body byte reaches the sink.
  std::int64_t expected_length = -1;
  std::string body;  ///< sent with POST, PUT and PATCH (set Content-Type in `headers`)
  /// When its data is not null: sent instead of `body`, without a copy (an upload chunk); the
  /// bytes must outlive perform().
  std::string_view body_view;
  /// When set: the body of a PUT or PATCH is read from it while sending, `body_length` bytes
  /// (Content-Length), instead of `body`. It fills the span it is given and returns how many
  /// bytes it wrote (0 only at the end); an exception it throws aborts the transfer (the
  /// server never sees the whole body) and propagates unchanged. A streamed body is read once:
  /// a redirect answer is returned as it is, never followed.
  std::function<std::size_t(std::span<std::byte>)> body_reader;
  std::int64_t body_length = -1;
  /// > 0: the whole exchange must end within this many seconds, else Error(kNetwork).
  long timeout_seconds = 0;
  AnswerDeadline answer_deadline = AnswerDeadline::kUnlessStreaming;
};

struct Response {
  long status = 0;
  Headers headers;
  std::string body;  ///< the collected body (non-2xx, or no sink given)
  std::string url;   ///< the final URL, after redirects
};

enum class Redirects { kFollow, kDontFollow };

/// One connection-reusing HTTP client. Not thread-safe: one Transport per thread.
class Transport {
 public:
  explicit Transport(TransportOptions options);
  ~Transport();
  Transport(Transport&&) noexcept;
  Transport& operator=(Transport&&) noexcept;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Performs `request`. Follows up to 10 redirects (301/302/303/307/308) itself when asked,
  /// and drops the Authorization header for good once a redirect goes to another scheme, host
  /// or port (never sent to a CDN); a redirect loop or too many -> Error(kNetwork,
  /// non-transient). A 301/302/303 turns a POST into a GET; a 307/308 that would carry a
  /// request body to another origin -> Error(kNetwork, non-transient), nothing sent there.
  ///
  /// With a 2xx status and a non-null `sink`, the body streams into sink.write() (finish() is
  /// left to the caller); otherwise it is collected into Response::body, at most `max_body`
  /// bytes: a longer 2xx body -> Error(kFormat, "... body larger than N bytes"); a non-2xx
  /// body longer than `max_body` or kMaxErrorBody is cut there, the transfer stopped, and the
  /// response returned (its status matters). More than 256 KiB of response headers ->
  /// Error(kFormat).
  ///
  /// TLS is 1.2 or newer, and only http and https are spoken.
  ///
  /// Connection failures, timeouts, stalls and bodies cut short -> Error(kNetwork,
  /// Transient::kYes, "GET <redacted url>: <reason>"); TLS verification failures ->
  /// Error(kNetwork, Transient::kNo) saying the certificate was refused and suggesting
  /// --ca-file or --insecure. An exception thrown by the sink aborts the transfer and
  /// propagates unchanged. Connections are reused across calls (HTTP/2 where offered).
  Response perform(const Request& request, ByteSink* sink = nullptr,
                   std::size_t max_body = 4u << 20, Redirects redirects = Redirects::kFollow);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hocker::http
