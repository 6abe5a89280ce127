#include "hocker/auth/authenticator.h"

#include <gtest/gtest.h>

#include "hocker/base/base64.h"
#include "hocker/base/error.h"
#include "hocker/http/test_server.h"

namespace hocker::auth {
namespace {

using namespace std::chrono_literals;
using http::testing::ServerConnection;
using http::testing::ServerRequest;
using http::testing::TestServer;
using Kind = Credentials::Kind;

constexpr const char* kScope = "repository:library/debian:pull";
constexpr const char* kRegistryUrl = "https://registry.test/v2/library/debian/manifests/1";

Credentials basic(std::string user = "alice", std::string password = "hunter2") {
  return {Kind::kBasic, std::move(user), Secret(std::move(password)), "--username"};
}

// A token endpoint answering every request with `status` and `body`.
class TokenServer {
 public:
  explicit TokenServer(int status = 200, std::string body = R"({"token":"tok-1"})")
      : status_(status),
        body_(std::move(body)),
        server_([this](const ServerRequest&, ServerConnection& c) { c.respond(status_, body_); }) {}
  std::string challenge(const std::string& extra = "") const {
    return R"(Bearer realm=")" + server_.url("/token") + R"(",service="registry.test")" + extra;
  }
  std::vector<ServerRequest> requests() const { return server_.requests(); }

 private:
  int status_;
  std::string body_;
  TestServer server_;
};

Error auth_failure(Authenticator& authenticator, http::Transport& transport,
                   const std::string& challenge) {
  try {
    authenticator.handle_challenge(transport, challenge, kScope, kRegistryUrl);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorKind::kInternal, "none");
}

TEST(Authenticator, SendsNothingBeforeTheFirstChallenge) {
  Authenticator authenticator(basic(), "registry.test");
  EXPECT_EQ(authenticator.authorization(kScope), "");
  EXPECT_FALSE(authenticator.has_credentials());
}

TEST(Authenticator, FetchesAnAnonymousTokenAndCachesItPerScope) {
  TokenServer tokens;
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "registry.test");
  authenticator.handle_challenge(transport, tokens.challenge(), kScope, kRegistryUrl);
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer tok-1");
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer tok-1");
  EXPECT_EQ(authenticator.authorization("repository:other:pull"), "");
  ASSERT_EQ(tokens.requests().size(), 1u);
  ServerRequest request = tokens.requests()[0];
  EXPECT_EQ(request.target,
            "/token?service=registry.test&scope=repository%3Alibrary%2Fdebian%3Apull");
  EXPECT_FALSE(request.headers.get("Authorization").has_value());
  EXPECT_FALSE(authenticator.has_credentials());
}

TEST(Authenticator, AsksForTheScopesOfTheChallenge) {
  TokenServer tokens;
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "registry.test");
  authenticator.handle_challenge(
      transport, tokens.challenge(R"(,scope="repository:a:pull repository:b:pull")"), kScope,
      kRegistryUrl);
  EXPECT_EQ(tokens.requests()[0].target,
            "/token?service=registry.test&scope=repository%3Aa%3Apull&scope=repository%3Ab%3Apull");
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer tok-1");
}

TEST(Authenticator, SendsBasicCredentialsToTheTokenServer) {
  TokenServer tokens(200, R"({"access_token":"tok-2"})");
  http::Transport transport({});
  Authenticator authenticator(basic(), "registry.test");
  authenticator.handle_challenge(transport, tokens.challenge(), kScope, kRegistryUrl);
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer tok-2");
  ServerRequest request = tokens.requests()[0];
  EXPECT_EQ(request.headers.get("Authorization"), "Basic " + base64_encode("alice:hunter2"));
  EXPECT_NE(request.target.find("account=alice"), std::string::npos);
  EXPECT_TRUE(authenticator.has_credentials());
}

TEST(Authenticator, ExchangesAnIdentityTokenWithAPost) {
  TokenServer tokens(200, R"({"access_token":"tok-3","refresh_token":"r"})");
  http::Transport transport({});
  Authenticator authenticator({Kind::kIdentityToken, "", Secret("refresh me"), "config"},
                              "registry.test");
  authenticator.handle_challenge(transport, tokens.challenge(), kScope, kRegistryUrl);
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer tok-3");
  ServerRequest request = tokens.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.headers.get("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.body,
            "grant_type=refresh_token&refresh_token=refresh%20me&service=registry.test&"
            "scope=repository%3Alibrary%2Fdebian%3Apull&client_id=hocker");
  EXPECT_TRUE(authenticator.has_credentials());
}

TEST(Authenticator, ForgetsATokenWhenItExpires) {
  struct Case {
    const char* body;
    std::chrono::seconds still_valid, expired;
  } cases[] = {
      {R"({"token":"t","expires_in":300})", 289s, 291s},
      {R"({"token":"t"})", 49s, 51s},
      {R"({"token":"t","expires_in":5})", 49s, 51s},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    TokenServer tokens(200, c.body);
    http::Transport transport({});
    Authenticator::Clock::time_point now{};
    Authenticator authenticator(Credentials{}, "registry.test", [&] { return now; });
    authenticator.handle_challenge(transport, tokens.challenge(), kScope, kRegistryUrl);
    now += c.still_valid;
    EXPECT_EQ(authenticator.authorization(kScope), "Bearer t");
    now += c.expired - c.still_valid;
    EXPECT_EQ(authenticator.authorization(kScope), "");
  }
}

TEST(Authenticator, AnswersABasicChallengeWithTheCredentials) {
  http::Transport transport({});
  Authenticator authenticator(basic(), "registry.test");
  authenticator.handle_challenge(transport, R"(Basic realm="Registry")", kScope, kRegistryUrl);
  EXPECT_EQ(authenticator.authorization("any:scope"), "Basic " + base64_encode("alice:hunter2"));
  EXPECT_TRUE(authenticator.has_credentials());
}

TEST(Authenticator, SaysHowToAuthenticateWhenBasicIsAskedOfAnAnonymousPull) {
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "127.0.0.1:5000");
  Error error = auth_failure(authenticator, transport, R"(Basic realm="Registry")");
  EXPECT_EQ(error.kind(), ErrorKind::kAuth);
  EXPECT_EQ(std::string(error.what()),
            "127.0.0.1:5000 requires authentication: pass --username/--password, --token or "
            "--credentials-file");
}

TEST(Authenticator, ReportsRefusedCredentialsWithoutTheSecret) {
  TokenServer tokens(401, R"({"details":"incorrect username or password for hunter2"})");
  http::Transport transport({});
  Authenticator authenticator(basic(), "registry.test");
  Error error = auth_failure(authenticator, transport, tokens.challenge());
  EXPECT_EQ(error.kind(), ErrorKind::kAuth);
  std::string message = error.what();
  EXPECT_NE(message.find("registry.test"), std::string::npos) << message;
  EXPECT_NE(message.find("401 Unauthorized: incorrect username or password"), std::string::npos)
      << message;
  EXPECT_NE(message.find("--username"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_EQ(message.find(base64_encode("alice:hunter2")), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(Authenticator, TreatsAnOverloadedTokenServerAsTransient) {
  TokenServer tokens(503, "busy");
  http::Transport transport({});
  Authenticator authenticator(Credentials{}, "registry.test");
  Error error = auth_failure(authenticator, transport, tokens.challenge());
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
}

TEST(Authenticator, RefusesUnusableTokenAnswers) {
  for (const char* body :
       {"not json", R"({"token":""})", R"({"token":"a\r\nX-Evil: 1"})", R"({"token":42})", "[]"}) {
    SCOPED_TRACE(body);
    TokenServer tokens(200, body);
    http::Transport transport({});
    Authenticator authenticator(Credentials{}, "registry.test");
    EXPECT_EQ(auth_failure(authenticator, transport, tokens.challenge()).kind(), ErrorKind::kAuth);
  }
}

TEST(Authenticator, RefusesUnparsableOrUnsupportedChallenges) {
  http::Transport transport({});
  Authenticator authenticator(basic(), "registry.test");
  for (const char* challenge :
       {"", R"(Bearer realm="unterminated)", "Negotiate", R"(Bearer service="no realm")",
        R"(Bearer realm="file:///etc/passwd")"}) {
    SCOPED_TRACE(challenge);
    EXPECT_EQ(auth_failure(authenticator, transport, challenge).kind(), ErrorKind::kAuth);
  }
}

TEST(Authenticator, AlwaysSendsAGivenBearerToken) {
  http::Transport transport({});
  Authenticator authenticator({Kind::kBearerToken, "", Secret("given"), "--token"}, "r");
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer given");
  authenticator.handle_challenge(transport, R"(Bearer realm="http://127.0.0.1:1/t")", kScope,
                                 kRegistryUrl);
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer given");
  EXPECT_TRUE(authenticator.has_credentials());
}

}  // namespace
}  // namespace hocker::auth
