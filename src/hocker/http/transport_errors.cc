#include "hocker/http/transport_errors.h"

#include <string_view>

namespace hocker::http {
namespace {

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

// OpenSSL's words for a handshake that failed on the protocol version (ours is TLS 1.2+).
bool is_old_tls(std::string_view detail) {
  return detail.find("protocol version") != std::string_view::npos ||
         detail.find("unsupported protocol") != std::string_view::npos;
}

}  // namespace

Error curl_error(const std::string& what, CURLcode code, const char* error_buffer,
                 const TransportOptions& options, bool verified_despite_insecure) {
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  if (is_not_http_reply(code, detail)) {
    return Error(ErrorKind::kNetwork, what + ": the reply is not HTTP (" + detail + ")",
                 Transient::kYes);
  }
  std::string reason = detail;
  if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_ISSUER_ERROR) {
    reason = "TLS certificate refused (" + detail + "); pass --ca-file PATH to trust its CA" +
             (verified_despite_insecure ? " (--insecure covers the registry's own host:port only)"
                                        : ", or --insecure to skip verification");
  } else if (code == CURLE_SSL_CONNECT_ERROR && is_old_tls(detail)) {
    return Error(ErrorKind::kNetwork,
                 what +
                     ": TLS handshake refused: the server offers nothing newer than TLS 1.1, "
                     "and hocker needs TLS 1.2 or newer (" +
                     detail + ")",
                 Transient::kNo);
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

}  // namespace hocker::http
