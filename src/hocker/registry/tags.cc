// Tag listing (distribution spec "Listing Tags"): pages linked by `Link: <...>; rel="next"`.
#include <set>

#include "hocker/base/error.h"
#include "hocker/registry/call.h"
#include "hocker/registry/client.h"
#include "hocker/registry/tag_page.h"

namespace hocker::registry {
namespace {

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

}  // namespace

std::vector<std::string> Client::list_tags(const std::string& repository, std::size_t* dropped) {
  TagListing listing;
  std::string url = request_base_url() + "/v2/" + repository + "/tags/list";
  std::set<std::string> visited;
  std::string what = "tag list of " + repository;
  for (int page = 0; !url.empty(); ++page) {
    if (page == kMaxTagPages) {
      throw Error(ErrorKind::kFormat,
                  what + ": more than " + std::to_string(kMaxTagPages) + " pages");
    }
    // A registry that links back to a page already read would keep us paging forever.
    if (!visited.insert(url).second) {
      throw Error(ErrorKind::kFormat,
                  what + ": the pages link in a loop (at " + http::redact_url(url) + ")");
    }
    Call call;
    call.url = url;
    call.scope = pull_scope(repository);
    call.max_body = kMaxTagPageSize;
    http::Response response = send(call);
    // call.url is where the page came from: the first request may have settled on https.
    parse_tag_page(response.body, "GET " + http::redact_url(call.url), listing);
    std::string next = next_link(response.headers.get("Link").value_or(""));
    url = next.empty() ? "" : http::resolve_location(call.url, next);
    // Pagination must stay on the registry: never send our credentials elsewhere.
    if (!url.empty() && http::origin_of(url) != http::origin_of(settle_base_url())) {
      throw Error(ErrorKind::kFormat, what + ": next page points to another host");
    }
  }
  if (dropped != nullptr) *dropped = listing.dropped;
  return std::move(listing.tags);
}

}  // namespace hocker::registry
