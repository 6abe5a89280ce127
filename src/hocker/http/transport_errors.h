// The transport's failures as hocker errors: what curl said, made one line that tells the
// user what to do, and whether a retry could help. Internal to the http module.
#pragma once

#include <curl/curl.h>

#include <string>

#include "hocker/base/error.h"
#include "hocker/http/transport.h"

namespace hocker::http {

/// The error for a failed transfer `what` ("GET <redacted url>"): curl's `code` and the detail
/// in `error_buffer`, with advice for refused certificates (`verified_despite_insecure`: the
/// host was verified although --insecure was given, as it is not the registry).
Error curl_error(const std::string& what, CURLcode code, const char* error_buffer,
                 const TransportOptions& options, bool verified_despite_insecure);

/// The error for a proxy from the environment that answered CONNECT with `status`.
Error proxy_refusal(const std::string& what, long status);

}  // namespace hocker::http
