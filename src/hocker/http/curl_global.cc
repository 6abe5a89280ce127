#include "hocker/http/curl_global.h"

#include <curl/curl.h>

#include <mutex>

#include "hocker/base/error.h"

namespace hocker::http {

void ensure_curl_initialised() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    throw Error(ErrorKind::kInternal,
                std::string("cannot initialise libcurl: ") + curl_easy_strerror(result));
  }
}

}  // namespace hocker::http
