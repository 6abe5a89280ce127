// Where the authenticator is willing to send credentials, and what it asks for: a plain-HTTP
// token realm only when nothing is lost by it, and only ever pull scopes.
#include <gtest/gtest.h>

#include <cstdlib>

#include "hocker/auth/authenticator.h"
#include "hocker/base/error.h"
#include "hocker/http/test_server.h"

namespace hocker::auth {
namespace {

using http::testing::ServerConnection;
using http::testing::ServerRequest;
using http::testing::TestServer;
using Kind = Credentials::Kind;

constexpr const char* kScope = "repository:library/debian:pull";
constexpr const char* kHttpsUrl = "https://registry.example.com/v2/library/debian/manifests/1";
// TEST-NET-3: never reached, the realm is refused before any connection. Should that ever
// regress, ProxyToNowhere sends the request to a closed loopback port instead of off-machine.
constexpr const char* kRemoteHttpRealm = "http://203.0.113.7:9/token";

// While alive, every plain-HTTP request goes through a proxy on a closed loopback port.
class ProxyToNowhere {
 public:
  ProxyToNowhere() {
    setenv("http_proxy", "http://127.0.0.1:9", 1);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
  }
  ~ProxyToNowhere() { unsetenv("http_proxy"); }
  ProxyToNowhere(const ProxyToNowhere&) = delete;
  ProxyToNowhere& operator=(const ProxyToNowhere&) = delete;
};

Credentials basic() {
  return {Kind::kBasic, "alice", Secret("hunter2"), "--username"};
}

http::TransportOptions quick() {
  http::TransportOptions options;
  options.connect_timeout_seconds = 1;
  options.answer_timeout_seconds = 2;
  return options;
}

std::string challenge(const std::string& realm, const std::string& extra = "") {
  return R"(Bearer realm=")" + realm + R"(",service="registry.example.com")" + extra;
}

Error auth_failure(Authenticator& authenticator, const std::string& challenge,
                   const std::string& challenged_url) {
  ProxyToNowhere no_remote_connections;
  http::Transport transport(quick());
  try {
    authenticator.handle_challenge(transport, challenge, kScope, challenged_url);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorKind::kInternal, "none");
}

TEST(AuthenticatorRealm, RefusesAPlainHttpRealmOfAnHttpsRegistry) {
  for (Credentials credentials :
       {basic(), Credentials{Kind::kIdentityToken, "", Secret("r"), ""}, Credentials{}}) {
    Authenticator authenticator(credentials, "registry.example.com");
    Error error = auth_failure(authenticator, challenge(kRemoteHttpRealm), kHttpsUrl);
    EXPECT_EQ(error.kind(), ErrorKind::kAuth) << error.what();
    std::string message = error.what();
    EXPECT_NE(message.find("http://203.0.113.7:9/token"), std::string::npos) << message;
    EXPECT_NE(message.find("plain HTTP"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(AuthenticatorRealm, AllowsPlainHttpOnlyWhereNothingIsExposed) {
  struct Case {
    const char* realm;
    const char* challenged_url;
    bool allowed;
  } cases[] = {
      {"https://auth.example.com/token", kHttpsUrl, true},  // Another host, over https.
      {"http://auth.example.com/token", "http://registry.example.com/v2/", true},
      {"http://127.0.0.1:5001/token", kHttpsUrl, true},
      {"http://localhost/token", kHttpsUrl, true},
      {"http://auth.example.com/token", kHttpsUrl, false},
      {"http://registry.example.com/token", kHttpsUrl, false},  // Same host, still clear text.
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.realm);
    EXPECT_EQ(realm_is_acceptable(c.realm, c.challenged_url), c.allowed);
  }
}

TEST(AuthenticatorRealm, AllowsAPlainHttpRealmOnLoopback) {
  TestServer tokens(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, R"({"token":"t"})"); });
  http::Transport transport({});
  Authenticator authenticator(basic(), "registry.example.com");
  authenticator.handle_challenge(transport, challenge(tokens.url("/token")), kScope, kHttpsUrl);
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer t");
}

TEST(AuthenticatorScopes, AsksOnlyForPullWhateverTheChallengeAsks) {
  TestServer tokens(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, R"({"token":"t"})"); });
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "registry.example.com");
  authenticator.handle_challenge(
      transport,
      challenge(
          tokens.url("/token"),
          R"(,scope="repository:a:push,pull repository:b:* repository:localhost:5000/c:delete")"),
      kScope, kHttpsUrl);
  EXPECT_EQ(tokens.requests()[0].target,
            "/token?service=registry.example.com&scope=repository%3Aa%3Apull&"
            "scope=repository%3Ab%3Apull&scope=repository%3Alocalhost%3A5000%2Fc%3Apull");
}

TEST(AuthenticatorScopes, AsksForPushWhenTheRequestItselfPushes) {
  TestServer tokens(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, R"({"token":"t"})"); });
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "registry.example.com");
  authenticator.handle_challenge(
      transport, challenge(tokens.url("/token"), R"(,scope="repository:a:pull,push")"),
      "repository:a:pull,push", kHttpsUrl);
  EXPECT_EQ(tokens.requests()[0].target,
            "/token?service=registry.example.com&scope=repository%3Aa%3Apull%2Cpush");
}

TEST(AuthenticatorScopes, AddsAMountSourceTheChallengeDoesNotName) {
  TestServer tokens(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, R"({"token":"t"})"); });
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "registry.example.com");
  authenticator.handle_challenge(
      transport, challenge(tokens.url("/token"), R"(,scope="repository:a:pull,push")"),
      "repository:a:pull,push repository:b:pull", kHttpsUrl);
  EXPECT_EQ(tokens.requests()[0].target,
            "/token?service=registry.example.com&scope=repository%3Aa%3Apull%2Cpush&"
            "scope=repository%3Ab%3Apull");
}

TEST(AuthenticatorScopes, AsksOnlyForPullWhenRefreshingAnIdentityToken) {
  TestServer tokens(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, R"({"access_token":"t"})"); });
  http::Transport transport({});
  Authenticator authenticator({Kind::kIdentityToken, "", Secret("refresh"), "config"},
                              "registry.example.com");
  authenticator.handle_challenge(
      transport, challenge(tokens.url("/token"), R"(,scope="repository:a:pull,push")"), kScope,
      kHttpsUrl);
  std::string body = tokens.requests()[0].body;
  EXPECT_NE(body.find("scope=repository%3Aa%3Apull&"), std::string::npos) << body;
  EXPECT_EQ(body.find("push"), std::string::npos) << body;
}

TEST(AuthenticatorScopes, FallsBackToTheRequestScopeWhenTheChallengeNamesNoUsableOne) {
  TestServer tokens(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, R"({"token":"t"})"); });
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "registry.example.com");
  authenticator.handle_challenge(transport, challenge(tokens.url("/token"), R"(,scope="junk")"),
                                 kScope, kHttpsUrl);
  EXPECT_EQ(tokens.requests()[0].target,
            "/token?service=registry.example.com&scope=repository%3Alibrary%2Fdebian%3Apull");
}

}  // namespace
}  // namespace hocker::auth
