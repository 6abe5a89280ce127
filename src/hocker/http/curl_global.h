// Process-wide libcurl initialisation, done once and thread-safely before any handle exists.
#pragma once

namespace hocker::http {

/// Calls curl_global_init once per process (std::call_once). Throws Error(kInternal) when
/// libcurl cannot initialise.
void ensure_curl_initialised();

}  // namespace hocker::http
