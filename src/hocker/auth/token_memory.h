// What the Authenticator may remember between runs: each registry's token realm (so a later
// run asks the token server first and skips the 401 round trip) and unexpired tokens. The
// interface only; the files behind it are the cache module's (cache/token_store.h).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace hocker::auth {

/// A token is renewed this long before it expires, so that it does not expire between
/// choosing it and the registry checking it; a remembered one with less left is not used.
inline constexpr std::chrono::seconds kTokenExpiryMargin{10};

/// A registry's Bearer challenge parameters, as it sent them.
struct RememberedRealm {
  std::string realm;    ///< the token server's URL
  std::string service;  ///< may be empty
};

/// Who a token was obtained for. `identity` holds what tells credentials apart (their kind,
/// username and secret, or "anonymous"): an implementation must keep a one-way hash of it,
/// never the text, and must never hand a token out under another identity.
struct TokenKey {
  std::string registry;  ///< "host[:port]"
  std::string scope;     ///< "repository:library/hello:pull"
  std::string identity;
};

/// A token and how long it is still valid (counted from the moment it is returned).
struct RememberedToken {
  std::string value;
  std::chrono::seconds lifetime{0};
};

/// Storage for RememberedRealm and RememberedToken. Lookups that find nothing usable (missing,
/// unreadable, malformed or expired entries) return nullopt; remembering is best effort and
/// never throws (a failure to write costs only the saving next time).
class TokenMemory {
 public:
  virtual ~TokenMemory() = default;
  virtual std::optional<RememberedRealm> realm(const std::string& registry) = 0;
  virtual void remember_realm(const std::string& registry, const RememberedRealm& realm) = 0;
  virtual std::optional<RememberedToken> token(const TokenKey& key) = 0;
  virtual void remember_token(const TokenKey& key, const RememberedToken& token) = 0;
};

/// Keeps only the realms of `inner`: tokens are neither handed out nor written. For memory
/// kept where tokens must not go (the user's cache folder when no --cache is given).
class RealmsOnly final : public TokenMemory {
 public:
  explicit RealmsOnly(std::shared_ptr<TokenMemory> inner) : inner_(std::move(inner)) {}
  std::optional<RememberedRealm> realm(const std::string& registry) override {
    return inner_->realm(registry);
  }
  void remember_realm(const std::string& registry, const RememberedRealm& realm) override {
    inner_->remember_realm(registry, realm);
  }
  std::optional<RememberedToken> token(const TokenKey& /*key*/) override { return std::nullopt; }
  void remember_token(const TokenKey& /*key*/, const RememberedToken& /*token*/) override {}

 private:
  std::shared_ptr<TokenMemory> inner_;
};

}  // namespace hocker::auth
