// How a client reaches its registry. The scheme is settled by the registry's name, by
// --plain-http, or (https) by the registry being elsewhere than on loopback. A loopback
// registry named without a scheme may speak either, as docker accepts for localhost: its first
// request goes out over plain HTTP without credentials, as a probe, and the answer settles it.
#include <algorithm>

#include "hocker/base/error.h"
#include "hocker/registry/call.h"
#include "hocker/registry/client.h"

namespace hocker::registry {

std::optional<std::string> Client::settled_base_url() {
  std::lock_guard lock(mutex_);
  if (scheme_.empty()) return std::nullopt;
  return scheme_ + "://" + registry_.api_host();
}

std::string Client::settle_base_url() {
  if (auto url = settled_base_url()) return *url;
  http::Request request;
  request.url = with_query("http://" + registry_.api_host() + "/v2/", options_.query);
  request.timeout_seconds = kProbeTimeoutSeconds;
  ProbeAnswer answer = ProbeAnswer::kSomethingElse;
  try {
    TransportLease transport(*this);
    answer =
        classify((*transport).perform(request, nullptr, 64u << 10, http::Redirects::kDontFollow));
  } catch (const Error& error) {
    if (!error.is_transient()) throw;  // A proxy refusing us says nothing about the port.
  }
  settle_scheme(answer);
  return *settled_base_url();
}

// Until the scheme is settled, requests are built for plain HTTP: they are the probes.
std::string Client::request_base_url() {
  std::lock_guard lock(mutex_);
  return (scheme_.empty() ? "http" : scheme_) + "://" + registry_.api_host();
}

bool Client::is_probe(const Call& call) {
  std::lock_guard lock(mutex_);
  return scheme_.empty() && call.send_credentials == SendCredentials::kYes &&
         call.url.starts_with("http://" + registry_.api_host() + "/");
}

// A call built for plain HTTP before the scheme settled on https is moved over (the
// connection is then a fresh TLS one). Returns whether it moved.
bool Client::move_to_https(Call& call) {
  std::string provisional = "http://" + registry_.api_host() + "/";
  std::lock_guard lock(mutex_);
  if (scheme_ != "https" || call.send_credentials == SendCredentials::kNo ||
      !call.url.starts_with(provisional)) {
    return false;
  }
  call.url = "https://" + call.url.substr(std::string_view("http://").size());
  return true;
}

// The probing `call` met `answer`. Returns whether it must be sent again (over https).
bool Client::resend_after_settling(Call& call, ProbeAnswer answer) {
  settle_scheme(answer);
  return move_to_https(call);
}

// A registry's answer settles on http (and the connection is reused). Anything else (a TLS
// port answering 400, a reset) falls back to a TLS handshake probe: https when the server
// speaks TLS, else http. The first request to settle it wins; later probes do not probe again.
void Client::settle_scheme(ProbeAnswer answer) {
  {
    std::lock_guard lock(mutex_);
    if (!scheme_.empty()) return;
  }
  std::string chosen = answer == ProbeAnswer::kRegistry ? "http" : speaks_tls() ? "https" : "http";
  std::lock_guard lock(mutex_);
  if (scheme_.empty()) scheme_ = chosen;
}

Client::ProbeAnswer Client::classify(const http::Response& response) {
  bool registry = (response.status >= 200 && response.status < 300) || response.status == 401 ||
                  response.headers.get("Docker-Distribution-API-Version").has_value();
  return registry ? ProbeAnswer::kRegistry : ProbeAnswer::kSomethingElse;
}

// Only asks whether the server completes a TLS handshake, so it skips certificate checks:
// loading the CA bundle costs ~40 ms. The real requests verify as configured.
bool Client::speaks_tls() {
  http::TransportOptions probe_options = options_.transport;
  probe_options.connect_timeout_seconds =
      std::min(probe_options.connect_timeout_seconds, kProbeTimeoutSeconds);
  probe_options.tls_verify = http::TlsVerify::kNo;
  probe_options.ca_file.clear();
  http::Request request;
  request.url = "https://" + registry_.api_host() + "/v2/";
  request.timeout_seconds = kProbeTimeoutSeconds;
  try {
    http::Transport probe(probe_options);
    probe.perform(request, nullptr, 64u << 10, http::Redirects::kDontFollow);
    return true;
  } catch (const Error& error) {
    // A proxy refusing the tunnel says nothing about the port; its error is the user's.
    if (!error.is_transient()) throw;
    return false;
  }
}

}  // namespace hocker::registry
