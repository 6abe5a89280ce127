#include "hocker/auth/authenticator.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "hocker/auth/challenge.h"
#include "hocker/auth/token_text.h"
#include "hocker/base/base64.h"
#include "hocker/base/document_check.h"
#include "hocker/base/error.h"
#include "hocker/base/scrub.h"
#include "hocker/http/status.h"

namespace hocker::auth {
namespace {

using Kind = Credentials::Kind;
using namespace std::chrono_literals;

constexpr std::size_t kMaxTokenResponse = 1u << 20;
// {"token": ..., "access_token": ..., "expires_in": ..., "issued_at": ...}: flat.
constexpr std::size_t kMaxTokenDepth = 8;
// Token auth spec: expires_in defaults to 60 s, and docker treats less as 60 s.
constexpr auto kMinimumLifetime = 60s;
constexpr auto kExpiryMargin = kTokenExpiryMargin;

const Challenge* find_scheme(const std::vector<Challenge>& challenges, std::string_view scheme) {
  for (const Challenge& challenge : challenges) {
    if (challenge.scheme == scheme) return &challenge;
  }
  return nullptr;
}

std::string param(const std::map<std::string, std::string>& params, const std::string& name) {
  auto found = params.find(name);
  return found == params.end() ? "" : found->second;
}

// The actions asked for each repository: those of the request's own scopes (pull, or
// pull,push for an upload; a mount adds its source's pull), pull for any other repository the
// challenge names (whatever it asks: push, delete, *). A scope is type:name:actions, and the
// name may hold colons (a port). When the challenge names one of the requested repositories,
// the other requested scopes are added (a registry names only the target repository of a
// cross-repository mount, not its source).
std::vector<std::string> token_scopes(std::string_view challenge_scopes,
                                      const std::string& requested) {
  std::vector<std::string> wanted = split_scopes(requested);
  auto resource_of = [](const std::string& one) -> std::optional<std::string> {
    std::size_t actions = one.rfind(':');
    if (actions == std::string::npos || actions == one.find(':')) return std::nullopt;
    return one.substr(0, actions);
  };
  std::vector<std::string> scopes;
  bool matched = false;
  auto add = [&scopes](std::string one) {
    if (std::find(scopes.begin(), scopes.end(), one) == scopes.end())
      scopes.push_back(std::move(one));
  };
  for (const std::string& one : split_scopes(challenge_scopes)) {
    std::optional<std::string> resource = resource_of(one);
    if (!resource) continue;
    auto asked = std::find_if(wanted.begin(), wanted.end(), [&](const std::string& scope) {
      return resource_of(scope) == resource;
    });
    matched = matched || asked != wanted.end();
    add(asked != wanted.end() ? *asked : *resource + ":pull");
  }
  if (matched) {
    for (const std::string& one : wanted) {
      std::optional<std::string> resource = resource_of(one);
      bool named = std::any_of(scopes.begin(), scopes.end(), [&](const std::string& scope) {
        return resource_of(scope) == resource;
      });
      if (resource && !named) add(one);
    }
  }
  if (scopes.empty() && !requested.empty()) {
    for (std::string& one : wanted) add(std::move(one));
  }
  return scopes;
}

std::string join(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const std::string& one : scopes) joined += (joined.empty() ? "" : " ") + one;
  return joined;
}

}  // namespace

Authenticator::Authenticator(Credentials credentials, std::string registry)
    : Authenticator(std::move(credentials), std::move(registry), &Clock::now) {}

Authenticator::Authenticator(Credentials credentials, std::string registry,
                             std::function<Clock::time_point()> now)
    : credentials_(std::move(credentials)), registry_(std::move(registry)), now_(std::move(now)) {
  // "user:password" is what goes out base64- or percent-encoded: mask those forms too.
  if (has_password()) register_secret(credentials_.username + ":" + credentials_.secret.reveal());
}

bool Authenticator::has_password() const {
  return credentials_.kind == Kind::kBasic && !credentials_.username.empty();
}

std::string Authenticator::basic_value() const {
  return "Basic " + base64_encode(credentials_.username + ":" + credentials_.secret.reveal());
}

std::string Authenticator::authorization(const std::string& scope) {
  if (credentials_.kind == Kind::kBearerToken) return "Bearer " + credentials_.secret.reveal();
  std::lock_guard lock(mutex_);
  if (auto cached = tokens_.find(scope); cached != tokens_.end()) {
    if (now_() < cached->second.expiry) return "Bearer " + cached->second.value;
    tokens_.erase(cached);
  }
  if (basic_wanted_ && has_password()) return basic_value();
  return "";
}

bool Authenticator::has_credentials() const {
  std::lock_guard lock(mutex_);
  return offered_credentials_;
}

void Authenticator::handle_challenge(http::Transport& transport, std::string_view challenge_header,
                                     const std::string& scope, std::string_view challenged_url) {
  if (credentials_.kind == Kind::kBearerToken) {
    // The token was sent with the request already: nothing better to offer.
    std::lock_guard lock(mutex_);
    offered_credentials_ = true;
    return;
  }
  std::vector<Challenge> challenges = parse_challenges(challenge_header);
  if (const Challenge* bearer = find_scheme(challenges, "bearer")) {
    // Network I/O happens outside the lock; a concurrent fetch for the same scope is harmless.
    Token token = fetch_token(transport, bearer->params, scope, challenged_url);
    if (memory_) {
      memory_->remember_realm(registry_,
                              {param(bearer->params, "realm"), param(bearer->params, "service")});
    }
    keep(scope, std::move(token));
    return;
  }
  if (find_scheme(challenges, "basic") != nullptr) {
    if (!has_password()) {
      throw Error(ErrorKind::kAuth, registry_ +
                                        " requires authentication: pass --username/--password, "
                                        "--token or --credentials-file");
    }
    std::lock_guard lock(mutex_);
    basic_wanted_ = true;
    offered_credentials_ = true;
    return;
  }
  if (challenges.empty()) {
    throw Error(ErrorKind::kAuth, registry_ + " sent an unparsable WWW-Authenticate challenge");
  }
  throw Error(ErrorKind::kAuth, registry_ + " asks for an unsupported authentication scheme (" +
                                    challenges.front().scheme + ")");
}

// Credentials (and the token they buy) never cross the network in clear text when the
// registry itself is reached over https.
bool realm_is_acceptable(std::string_view realm, std::string_view challenged_url) {
  return !realm.starts_with("http://") || challenged_url.starts_with("http://") ||
         http::is_loopback_url(realm);
}

void Authenticator::check_realm(const std::string& realm, std::string_view challenged_url) const {
  if (realm_is_acceptable(realm, challenged_url)) return;
  throw Error(ErrorKind::kAuth, registry_ + ": refusing token realm " + http::redact_url(realm) +
                                    ": plain HTTP for a registry reached over https would expose "
                                    "the credentials and the token");
}

http::Request Authenticator::token_request(const std::map<std::string, std::string>& params,
                                           const std::string& scope) const {
  std::string realm = param(params, "realm");
  if (!realm.starts_with("https://") && !realm.starts_with("http://")) {
    throw Error(ErrorKind::kAuth,
                registry_ + " sent a Bearer challenge without an http(s) token realm");
  }
  std::vector<std::string> scopes = token_scopes(param(params, "scope"), scope);
  http::Request request;
  if (credentials_.kind == Kind::kIdentityToken) {
    // docker's OAuth2 refresh flow (distribution docs: oauth.md).
    request.method = "POST";
    request.url = realm;
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = form_encode({{"grant_type", "refresh_token"},
                                {"refresh_token", credentials_.secret.reveal()},
                                {"service", param(params, "service")},
                                {"scope", join(scopes)},
                                {"client_id", "hocker"}});
    return request;
  }
  std::vector<std::pair<std::string, std::string>> query;
  if (auto service = param(params, "service"); !service.empty())
    query.push_back({"service", service});
  for (const std::string& one : scopes) query.push_back({"scope", one});
  if (has_password()) {
    query.push_back({"account", credentials_.username});
    request.headers.push_back({"Authorization", basic_value()});
  }
  request.url = realm;
  if (!query.empty())
    request.url += (realm.find('?') == std::string::npos ? "?" : "&") + form_encode(query);
  return request;
}

Authenticator::Token Authenticator::fetch_token(http::Transport& transport,
                                                const std::map<std::string, std::string>& params,
                                                const std::string& scope,
                                                std::string_view challenged_url) const {
  check_realm(param(params, "realm"), challenged_url);
  http::Request request = token_request(params, scope);
  std::string what = registry_ + ": token server " + http::redact_url(request.url);
  http::Response response = transport.perform(request, nullptr, kMaxTokenResponse);
  std::string status = http::status_text(response.status);
  if (response.status == 429 || response.status >= 500) {
    throw Error(ErrorKind::kNetwork, what + ": " + status, Transient::kYes);
  }
  if (response.status != 200) {
    std::string text = scrub(server_error_text(response.body));
    std::string from =
        credentials_.source.empty() ? "" : " (credentials from " + credentials_.source + ")";
    if (credentials_.kind == Kind::kAnonymous) from = " (anonymous)";
    throw Error(ErrorKind::kAuth, what + ": " + status + (text.empty() ? "" : ": " + text) + from);
  }
  return parse_token(response, what);
}

Authenticator::Token Authenticator::parse_token(const http::Response& response,
                                                const std::string& what) const {
  if (std::string problem = document_problem(response.body, kMaxTokenResponse, kMaxTokenDepth);
      !problem.empty()) {
    throw Error(ErrorKind::kAuth, what + ": the answer is refused: " + problem);
  }
  nlohmann::json document = nlohmann::json::parse(response.body, nullptr, false);
  if (!document.is_object()) throw Error(ErrorKind::kAuth, what + ": the answer is not JSON");
  std::string value;
  for (const char* name : {"token", "access_token"}) {
    auto found = document.find(name);
    if (found != document.end() && found->is_string() &&
        !found->get_ref<const std::string&>().empty()) {
      value = found->get<std::string>();
      break;
    }
  }
  if (value.empty() || !is_header_safe(value)) {
    throw Error(ErrorKind::kAuth, what + ": the answer holds no usable token");
  }
  register_secret(value);
  std::chrono::seconds lifetime = kMinimumLifetime;
  if (auto expires = document.find("expires_in");
      expires != document.end() && expires->is_number()) {
    double seconds = expires->get<double>();
    if (seconds > 60 && seconds < 1e9)
      lifetime = std::chrono::seconds(static_cast<long long>(seconds));
  }
  return Token{std::move(value), now_() + lifetime - kExpiryMargin, lifetime};
}

// The server's text may echo what it was sent: never let a secret through.
std::string Authenticator::scrub(const std::string& text) const {
  return hocker::scrub(text);
}

}  // namespace hocker::auth
