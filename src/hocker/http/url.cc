#include "hocker/http/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/http/curl_global.h"

namespace hocker::http {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

UrlHandle new_url() {
  ensure_curl_initialised();
  UrlHandle handle(curl_url());
  if (!handle) throw Error(ErrorKind::kInternal, "out of memory creating a URL handle");
  return handle;
}

// Reads one part; "" when absent.
std::string url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK || raw == nullptr) return "";
  std::unique_ptr<char, CurlStringDeleter> text(raw);
  return text.get();
}

constexpr unsigned kParseFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS;

}  // namespace

std::string redact_url(std::string_view url) {
  std::string redacted = strip_userinfo(url);
  std::size_t start = redacted.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  redacted.resize(std::min(redacted.size(), redacted.find_first_of("?#", start)));
  return redacted;
}

std::string origin_of(std::string_view url) {
  if (url.find("://") == std::string_view::npos) return "";
  UrlHandle handle = new_url();
  std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), kParseFlags) != CURLUE_OK) {
    return "";
  }
  std::string scheme = ascii_lowercase(url_part(handle.get(), CURLUPART_SCHEME));
  std::string host = ascii_lowercase(url_part(handle.get(), CURLUPART_HOST));
  std::string port = url_part(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (scheme.empty() || host.empty() || port.empty()) return "";
  return scheme + "://" + host + ":" + port;
}

bool is_loopback_url(std::string_view url) {
  std::string origin = origin_of(url);
  if (origin.empty()) return false;
  std::string host = origin.substr(origin.find("://") + 3);
  host.erase(host.rfind(':'));
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8 in the dotted form curl normalises every IPv4 spelling to.
  unsigned parts[4];
  char end;
  return std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &parts[0], &parts[1], &parts[2], &parts[3],
                     &end) == 4 &&
         parts[0] == 127 && parts[1] < 256 && parts[2] < 256 && parts[3] < 256;
}

std::string resolve_location(std::string_view base, std::string_view location) {
  UrlHandle handle = new_url();
  std::string base_text(base);
  std::string location_text(location);
  auto refuse = [&](const std::string& why) {
    return Error(ErrorKind::kNetwork,
                 "redirect from " + redact_url(base) + " to " + redact_url(location) + ": " + why);
  };
  if (curl_url_set(handle.get(), CURLUPART_URL, base_text.c_str(), kParseFlags) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, location_text.c_str(), kParseFlags) != CURLUE_OK) {
    throw refuse("malformed location");
  }
  std::string scheme = ascii_lowercase(url_part(handle.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") throw refuse("only http and https are followed");
  std::string resolved = url_part(handle.get(), CURLUPART_URL);
  if (resolved.empty()) throw refuse("malformed location");
  return resolved;
}

}  // namespace hocker::http
