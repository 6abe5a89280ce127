// Answers registry challenges: Bearer tokens fetched from the realm (distribution token auth
// spec, docker's OAuth refresh flow for identity tokens) and cached per scope, or Basic.
// When to ask (a 401) and how often to retry are left to the registry client.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "hocker/auth/credentials.h"
#include "hocker/auth/token_memory.h"
#include "hocker/http/transport.h"

namespace hocker::auth {

/// Thread-safe (a mutex); shared by the worker threads of one pull.
class Authenticator {
 public:
  using Clock = std::chrono::steady_clock;

  /// `registry` ("127.0.0.1:5000") is for messages.
  Authenticator(Credentials credentials, std::string registry);
  /// For tests: `now` replaces the steady clock that token expiry is measured on.
  Authenticator(Credentials credentials, std::string registry,
                std::function<Clock::time_point()> now);

  /// The Authorization header value to send now for `scope` (e.g.
  /// "repository:library/debian:pull"): "Bearer <token>" with a cached unexpired token for that
  /// scope; "Basic ..." once the registry asked for Basic and we have a username/password;
  /// "Bearer <token>" always for kBearerToken credentials; "" when nothing is known yet (the
  /// first request goes anonymous, and the 401 tells us the scheme).
  std::string authorization(const std::string& scope);

  /// Reacts to a 401 to `challenged_url` whose WWW-Authenticate value is `challenge_header`.
  /// Bearer: GETs the realm with service and scope query parameters: `scope` (one or more,
  /// space-separated: "repository:a:pull,push repository:b:pull" for an upload mounting from
  /// b), plus any other repository the challenge names with its actions cut to "pull",
  /// with Basic credentials when we have username/password (identity token: POSTs a
  /// grant_type=refresh_token form, as docker does), anonymously otherwise; accepts `token` or
  /// `access_token` and caches it under `scope` until `expires_in` (default and minimum 60 s)
  /// minus a margin. Basic: remembers that Basic is wanted.
  /// Throws Error(kAuth) with a one-line message naming the registry (and the token server's
  /// own error text when it sent one) when the token endpoint refuses, when credentials are
  /// needed and we have none, when the challenge is unparsable or of an unknown scheme, or
  /// when the realm is plain HTTP where realm_is_acceptable() says no (nothing sent to it).
  /// A token server answering 429 or 5xx, or unreachable -> Error(kNetwork, transient).
  /// Never puts a secret in a message.
  void handle_challenge(http::Transport& transport, std::string_view challenge_header,
                        const std::string& scope, std::string_view challenged_url);

  /// Remember realms and tokens in `memory` across runs (--cache). Without it nothing is
  /// written anywhere. Call before the first request.
  void set_memory(std::shared_ptr<TokenMemory> memory);

  /// Whether prepare() may ask the token server itself.
  enum class Fetch { kYes, kNo };

  /// Before a request for `scope` to `url`, saves the 401 round trip when it can: a token for
  /// `scope` known already (this run or, with a TokenMemory, an unexpired one remembered for
  /// the same registry, scope and credentials) is used; else, with `fetch` kYes and a
  /// remembered realm for this registry, a token is asked from that realm at once (the realm
  /// checked against `url` as after a challenge). Tried once per scope; never throws: on any
  /// failure the request goes as before and the registry's own challenge follows. Returns
  /// whether authorization(scope) now yields a token. `before_fetch`, when given, is called
  /// just before a remembered realm is asked (the caller may open registry connections
  /// meanwhile).
  bool prepare(http::Transport& transport, const std::string& scope, std::string_view url,
               Fetch fetch = Fetch::kYes, const std::function<void()>& before_fetch = {});

  /// True when the last handle_challenge already had credentials to offer, i.e. a further 401
  /// means the credentials were refused (not merely missing).
  bool has_credentials() const;

 private:
  struct Token {
    std::string value;
    Clock::time_point expiry;
    std::chrono::seconds lifetime{0};  // As the token server granted it.
  };
  TokenKey token_key(const std::string& scope) const;
  bool recall_token(const std::string& scope);
  bool fetch_remembered(http::Transport& transport, const std::string& scope, std::string_view url,
                        const std::function<void()>& before_fetch);
  void keep(const std::string& scope, Token token);
  bool has_password() const;
  std::string basic_value() const;
  Token fetch_token(http::Transport& transport, const std::map<std::string, std::string>& params,
                    const std::string& scope, std::string_view challenged_url) const;
  void check_realm(const std::string& realm, std::string_view challenged_url) const;
  http::Request token_request(const std::map<std::string, std::string>& params,
                              const std::string& scope) const;
  Token parse_token(const http::Response& response, const std::string& what) const;
  std::string scrub(const std::string& text) const;

  const Credentials credentials_;
  const std::string registry_;
  const std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::map<std::string, Token> tokens_;  // By scope.
  std::shared_ptr<TokenMemory> memory_;
  std::set<std::string> prepared_;  // Scopes prepare() tried.
  bool basic_wanted_ = false;
  bool offered_credentials_ = false;
};

/// Whether a token realm may be asked for a token (with the credentials) after a challenge to
/// `challenged_url`: always over https, wherever it is (the registry names the auth server it
/// trusts, e.g. auth.docker.io for Docker Hub); over plain HTTP only when the registry itself
/// was reached over plain HTTP or the realm is on loopback.
bool realm_is_acceptable(std::string_view realm, std::string_view challenged_url);

}  // namespace hocker::auth
