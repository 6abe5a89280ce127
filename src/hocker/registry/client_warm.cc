// Registry connections opened ahead of need (ClientOptions::warm_connection): while a token is
// fetched, the registry connections the next requests want are opened on threads of their
// own, so that on a slow network the manifest and the blobs fetched concurrently next do not
// each wait for a new connection.
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

// With a remembered realm the token is asked before any registry connection exists: one for
// the request waiting on the token, one for the second of the two blobs fetched next.
constexpr int kRememberedRealmWarmers = 2;

}  // namespace

// Called with a challenge in hand, before the token is asked for: the transport that met the
// challenge is leased, so an empty pool means no other connection is open.
void Client::warm_connection(std::string_view challenge) {
  if (!options_.warm_connection || !is_bearer(challenge) || warmed_.exchange(true)) return;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) return;
  }
  start_warmers(1);
}

// Called just before a remembered realm is asked, from the first request. Returns whether
// connections are being opened (the request then waits for them and takes one).
bool Client::warm_for_remembered_realm() {
  if (!options_.warm_connection || warmed_.exchange(true)) return false;
  start_warmers(kRememberedRealmWarmers);
  std::lock_guard lock(warm_mutex_);
  return !warmers_.empty();
}

void Client::start_warmers(int count) {
  std::string url = with_query(request_base_url() + "/v2/", options_.query);
  std::lock_guard lock(warm_mutex_);
  for (int i = 0; i < count; ++i) {
    // Made here, not on the thread: a lease there could take a transport a request returns to
    // the pool, and open nothing.
    auto transport = std::make_unique<http::Transport>(options_.transport);
    try {
      warmers_.emplace_back([this, url, transport = std::move(transport)]() mutable {
        http::Request request;
        request.url = url;
        request.timeout_seconds = kWarmTimeoutSeconds;
        try {
          transport->perform(request, nullptr, 4096, http::Redirects::kDontFollow);
        } catch (const std::exception&) {
          // Best effort: the request that wants this connection opens its own.
        }
        std::lock_guard pool_lock(mutex_);
        idle_.push_back(std::move(transport));
      });
    } catch (const std::system_error&) {
      return;  // No thread to spare: requests open their connections as they would have.
    }
  }
}

void Client::wait_for_warming() {
  std::lock_guard lock(warm_mutex_);
  for (std::thread& warmer : warmers_) {
    if (warmer.joinable()) warmer.join();
  }
  warmers_.clear();
}

}  // namespace hocker::registry
