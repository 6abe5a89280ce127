// URL helpers for the transport and its callers: redaction for messages, origins for the
// "credentials never leave the registry" rule, and resolution of redirect locations.
#pragma once

#include <string>
#include <string_view>

namespace hocker::http {

/// The URL without userinfo and without query string or fragment (signed CDN URLs carry
/// secrets there), for messages. Never throws; text that is not a URL is redacted the same way.
std::string redact_url(std::string_view url);

/// Scheme, host and port of an absolute URL, lowercased, with the default port made explicit
/// ("https://a:443"). Returns "" when `url` is not an absolute http(s)-like URL; two empty
/// origins must not be taken as equal.
std::string origin_of(std::string_view url);

/// Whether the host of absolute URL `url` is a loopback one: "localhost", 127.0.0.0/8 or [::1].
/// Traffic to it never leaves the machine.
bool is_loopback_url(std::string_view url);

/// Resolves a possibly relative Location header value against `base` (RFC 3986 §5). Throws
/// Error(kNetwork) naming the redacted location when it cannot be resolved, and when the
/// result is not an http or https URL.
std::string resolve_location(std::string_view base, std::string_view location);

}  // namespace hocker::http
