// Tag listing (distribution spec "Listing Tags"): pages linked by `Link: <...>; rel="next"`.
#include <nlohmann/json.hpp>

#include "hocker/base/error.h"
#include "hocker/registry/call.h"
#include "hocker/registry/client.h"

namespace hocker::registry {
namespace {

constexpr int kMaxPages = 10'000;

// The target of a `Link` header's rel="next" entry, or "" when there is none.
std::string next_link(const std::string& header) {
  if (header.find("rel=\"next\"") == std::string::npos &&
      header.find("rel=next") == std::string::npos) {
    return "";
  }
  auto open = header.find('<');
  auto close = header.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return header.substr(open + 1, close - open - 1);
}

void append_tags(const std::string& body, const std::string& what, std::vector<std::string>& tags) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object())
    throw Error(ErrorKind::kFormat, what + ": answer is not a JSON object");
  auto list = document.find("tags");
  if (list == document.end() || list->is_null()) return;  // An empty repository says null.
  if (!list->is_array()) throw Error(ErrorKind::kFormat, what + ": \"tags\" is not an array");
  for (const auto& tag : *list) {
    if (!tag.is_string()) throw Error(ErrorKind::kFormat, what + ": a tag is not a string");
    tags.push_back(tag.get<std::string>());
  }
}

}  // namespace

std::vector<std::string> Client::list_tags(const std::string& repository) {
  std::vector<std::string> tags;
  std::string url = request_base_url() + "/v2/" + repository + "/tags/list";
  for (int page = 0; page < kMaxPages && !url.empty(); ++page) {
    Call call;
    call.url = url;
    call.scope = pull_scope(repository);
    http::Response response = send(call);
    // call.url is where the page came from: the first request may have settled on https.
    append_tags(response.body, "GET " + http::redact_url(call.url), tags);
    std::string next = next_link(response.headers.get("Link").value_or(""));
    url = next.empty() ? "" : http::resolve_location(call.url, next);
    // Pagination must stay on the registry: never send our credentials elsewhere.
    if (!url.empty() && http::origin_of(url) != http::origin_of(settle_base_url())) {
      throw Error(ErrorKind::kFormat,
                  "tag list of " + repository + ": next page points to another host");
    }
  }
  return tags;
}

}  // namespace hocker::registry
