// A second registry connection opened while the first challenge's token is fetched
// (ClientOptions::warm_connection): on a slow network, the blobs fetched concurrently next
// would otherwise wait for a new connection after the token and the manifest.
#include <cctype>
#include <exception>
#include <system_error>

#include "hocker/base/error.h"
#include "hocker/registry/call.h"
#include "hocker/registry/client.h"

namespace hocker::registry {

namespace {

bool is_bearer(std::string_view challenge) {
  constexpr std::string_view kBearer = "bearer ";
  if (challenge.size() < kBearer.size()) return false;
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(challenge[i])) != kBearer[i]) return false;
  }
  return true;
}

}  // namespace

// Called with a challenge in hand, before the token is asked for: the transport that met the
// challenge is leased, so an empty pool means no other connection is open.
void Client::warm_connection(std::string_view challenge) {
  if (!options_.warm_connection || !is_bearer(challenge) || warmed_.exchange(true)) return;
  std::string url = with_query(request_base_url() + "/v2/", options_.query);
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) return;
  }
  // Made here, not on the thread: a lease there could take the transport this challenge
  // returns to the pool, and open nothing.
  auto transport = std::make_unique<http::Transport>(options_.transport);
  try {
    warmer_ = std::thread([this, url = std::move(url), transport = std::move(transport)]() mutable {
      http::Request request;
      request.url = url;
      request.timeout_seconds = kWarmTimeoutSeconds;
      try {
        transport->perform(request, nullptr, 4096, http::Redirects::kDontFollow);
      } catch (const std::exception&) {
        // Best effort: the request that wants this connection opens its own.
      }
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(transport));
    });
  } catch (const std::system_error&) {
    // No thread to spare: the blobs open their connections as they would have.
  }
}

void Client::wait_for_warming() {
  if (warmer_.joinable()) warmer_.join();
}

}  // namespace hocker::registry
