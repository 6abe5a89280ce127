// The Authenticator's memory: tokens kept for this run, and (with a TokenMemory, --cache)
// realms and tokens remembered across runs, which let a pull skip the 401 round trip.
#include <utility>

#include "hocker/auth/authenticator.h"
#include "hocker/base/error.h"
#include "hocker/base/scrub.h"

namespace hocker::auth {

using Kind = Credentials::Kind;

void Authenticator::set_memory(std::shared_ptr<TokenMemory> memory) {
  std::lock_guard lock(mutex_);
  memory_ = std::move(memory);
}

// Tells credentials apart: a token bought with one identity is never offered for another
// (the TokenMemory keeps only a hash of this).
TokenKey Authenticator::token_key(const std::string& scope) const {
  std::string identity = "anonymous";
  if (credentials_.kind == Kind::kBasic) {
    identity = "basic\n" + credentials_.username + "\n" + credentials_.secret.reveal();
  } else if (credentials_.kind == Kind::kIdentityToken) {
    identity = "identity\n" + credentials_.username + "\n" + credentials_.secret.reveal();
  }
  return {registry_, scope, std::move(identity)};
}

void Authenticator::keep(const std::string& scope, Token token) {
  std::shared_ptr<TokenMemory> memory;
  {
    std::lock_guard lock(mutex_);
    memory = memory_;
    offered_credentials_ = has_password() || credentials_.kind == Kind::kIdentityToken;
  }
  if (memory) memory->remember_token(token_key(scope), {token.value, token.lifetime});
  std::lock_guard lock(mutex_);
  tokens_[scope] = std::move(token);
}

// A token remembered by an earlier run, with more than the margin left.
bool Authenticator::recall_token(const std::string& scope) {
  std::optional<RememberedToken> remembered = memory_->token(token_key(scope));
  if (!remembered || remembered->lifetime <= kTokenExpiryMargin) return false;
  register_secret(remembered->value);
  std::lock_guard lock(mutex_);
  tokens_[scope] = Token{std::move(remembered->value),
                         now_() + remembered->lifetime - kTokenExpiryMargin, remembered->lifetime};
  return true;
}

// Asks the realm an earlier run's challenge named, without waiting for this run's challenge.
bool Authenticator::fetch_remembered(http::Transport& transport, const std::string& scope,
                                     std::string_view url,
                                     const std::function<void()>& before_fetch) {
  std::optional<RememberedRealm> realm = memory_->realm(registry_);
  if (!realm) return false;
  if (before_fetch) before_fetch();
  std::map<std::string, std::string> params{{"realm", realm->realm}};
  if (!realm->service.empty()) params.emplace("service", realm->service);
  try {
    keep(scope, fetch_token(transport, params, scope, url));
    return true;
  } catch (const Error&) {
    return false;  // A moved realm, a refusal, a network failure: the challenge decides.
  }
}

bool Authenticator::prepare(http::Transport& transport, const std::string& scope,
                            std::string_view url, Fetch fetch,
                            const std::function<void()>& before_fetch) {
  if (credentials_.kind == Kind::kBearerToken) return false;
  {
    std::lock_guard lock(mutex_);
    auto known = tokens_.find(scope);
    if (known != tokens_.end() && now_() < known->second.expiry) return true;
    if (!memory_ || prepared_.contains(scope)) return false;
    if (fetch == Fetch::kYes) prepared_.insert(scope);
  }
  if (recall_token(scope)) return true;
  return fetch == Fetch::kYes && fetch_remembered(transport, scope, url, before_fetch);
}

}  // namespace hocker::auth
