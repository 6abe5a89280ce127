// The registry client's request machinery: the scheme probe of a loopback registry,
// authentication rounds, and retries. Fetching (resume, digests, tags): client_fetch_test.cc.
#include "hocker/registry/client.h"

#include <gtest/gtest.h>

#include <mutex>

#include "hocker/base/base64.h"
#include "hocker/registry/client_test_support.h"

namespace hocker::registry {
namespace {

using namespace testing;
using auth::Credentials;

void serve_manifest(const ServerRequest&, ServerConnection& connection) {
  connection.respond(200, kManifest, {{"Content-Type", "application/json"}});
}

TEST(ClientScheme, IsNotSettledBeforeALoopbackRegistryNamedWithoutOneAnswers) {
  TestServer server(serve_manifest);
  auto client = client_for(server);
  EXPECT_EQ(client->settled_base_url(), std::nullopt);
  EXPECT_TRUE(server.requests().empty());
}

TEST(ClientScheme, SettlesOnHttpWhenAPlainLoopbackRegistryAnswersTheFirstRequest) {
  TestServer server(serve_manifest);
  auto client = client_for(server);
  client->fetch_manifest("team/app", "v1");
  EXPECT_EQ(client->settled_base_url(), "http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_EQ(server.requests().size(), 1u);  // The probe was the request itself.
}

TEST(ClientScheme, SettleBaseUrlProbesTheApiRootOnceWithoutCredentials) {
  TestServer server([](const ServerRequest&, ServerConnection& connection) {
    connection.respond(401, "{}", {{"WWW-Authenticate", R"(Basic realm="r")"}});
  });
  auto client = client_for(server, {Credentials::Kind::kBearerToken, "", Secret("tok"), "--token"});
  std::string expected = "http://127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(client->settle_base_url(), expected);
  EXPECT_EQ(client->settle_base_url(), expected);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/v2/");
  EXPECT_EQ(authorizations(server), std::vector<std::string>{""});
}

TEST(ClientScheme, TheProbingRequestCarriesNoCredentialsAndTheNextOnesDo) {
  TestServer server(serve_manifest);
  auto client = client_for(server, {Credentials::Kind::kBearerToken, "", Secret("tok"), "--token"});
  client->fetch_manifest("team/app", "v1");
  client->fetch_manifest("team/app", "v2");
  EXPECT_EQ(authorizations(server), (std::vector<std::string>{"", "Bearer tok"}));
}

TEST(ClientScheme, SettlesOnHttpWhenTheAnswerIsNoRegistrysAndThePortSpeaksNoTls) {
  // A 400 without the distribution header is what a TLS port says to plain HTTP; the test
  // server then hangs up on the TLS handshake probe, so http it is, and nothing is resent.
  TestServer server([](const ServerRequest&, ServerConnection& connection) {
    connection.respond(400, "plain text");
  });
  auto client = client_for(server);
  Error error = error_of([&] { client->fetch_manifest("team/app", "v1"); });
  EXPECT_EQ(client->settled_base_url(), "http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(server.requests().size(), 1u) << error.what();
}

TEST(ClientScheme, IsSettledFromTheStartWhenTheNameOrTheOptionsSayIt) {
  TestServer server(serve_manifest);
  auto authenticator = std::make_shared<auth::Authenticator>(Credentials{}, "test");
  std::string host = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(Client(loopback(server, "https"), authenticator, {}).settled_base_url(),
            "https://" + host);
  EXPECT_EQ(Client(ref::Registry{"registry.example.com", ""}, authenticator, {}).settled_base_url(),
            "https://registry.example.com");
  ClientOptions plain;
  plain.plain_http = true;
  EXPECT_EQ(Client(loopback(server, "https"), authenticator, plain).settled_base_url(),
            "http://" + host);
  EXPECT_TRUE(server.requests().empty());
}

// A registry wanting a Bearer token from `token_server`, which hands out "tok-N".
class BearerRegistry {
 public:
  BearerRegistry()
      : token_server_([this](const ServerRequest&, ServerConnection& connection) {
          std::lock_guard lock(mutex_);
          connection.respond(200, R"({"token":"tok-)" + std::to_string(++tokens_) + R"("})");
        }),
        registry_([this](const ServerRequest& request, ServerConnection& connection) {
          if (request.headers.get("Authorization").value_or("").starts_with("Bearer tok-")) {
            return serve_manifest(request, connection);
          }
          std::string challenge = R"(Bearer realm=")" + token_server_.url("/token") +
                                  R"(",service="test",scope="repository:team/app:pull")";
          connection.respond(401, "{}", {{"WWW-Authenticate", challenge}});
        }) {}
  TestServer& registry() { return registry_; }
  TestServer& token_server() { return token_server_; }

 private:
  std::mutex mutex_;
  int tokens_ = 0;
  TestServer token_server_;
  TestServer registry_;
};

TEST(ClientAuth, AnswersABearerChallengeWithATokenFromTheRealm) {
  BearerRegistry bearer;
  auto client = client_for(bearer.registry());
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  EXPECT_EQ(authorizations(bearer.registry()), (std::vector<std::string>{"", "Bearer tok-1"}));
  ASSERT_EQ(bearer.token_server().requests().size(), 1u);
  EXPECT_NE(bearer.token_server().requests()[0].target.find("scope=repository%3Ateam%2Fapp%3Apull"),
            std::string::npos)
      << bearer.token_server().requests()[0].target;
}

TEST(ClientAuth, SendsTheCachedTokenWithTheNextRequest) {
  BearerRegistry bearer;
  auto client = client_for(bearer.registry());
  client->fetch_manifest("team/app", "v1");
  client->fetch_manifest("team/app", "v2");
  EXPECT_EQ(authorizations(bearer.registry()),
            (std::vector<std::string>{"", "Bearer tok-1", "Bearer tok-1"}));
  EXPECT_EQ(bearer.token_server().requests().size(), 1u);
}

TEST(ClientAuth, SendsBasicCredentialsAfterABasicChallenge) {
  std::string expected = "Basic " + base64_encode("alice:hunter2");
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    if (request.headers.get("Authorization") == expected)
      return serve_manifest(request, connection);
    connection.respond(401, "{}", {{"WWW-Authenticate", R"(Basic realm="test")"}});
  });
  auto client = client_for(server, {Credentials::Kind::kBasic, "alice", Secret("hunter2"), "-u"});
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  EXPECT_EQ(authorizations(server), (std::vector<std::string>{"", expected}));
}

TEST(ClientAuth, ReportsRefusedCredentialsAfterTwoRounds) {
  TestServer server([](const ServerRequest&, ServerConnection& connection) {
    connection.respond(401, "{}", {{"WWW-Authenticate", R"(Basic realm="test")"}});
  });
  auto client = client_for(server, {Credentials::Kind::kBasic, "alice", Secret("wrong"), "-u"});
  Error error = error_of([&] { client->fetch_manifest("team/app", "v1"); });
  EXPECT_EQ(error.kind(), ErrorKind::kAuth);
  EXPECT_NE(std::string(error.what()).find("credentials refused"), std::string::npos);
  EXPECT_EQ(std::string(error.what()).find("wrong"), std::string::npos);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(ClientRetry, WaitsAtLeastTheRetryAfterOfA503BeforeTryingAgain) {
  std::atomic<int> count{0};
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    if (count++ == 0) return connection.respond(503, "busy", {{"Retry-After", "1"}});
    serve_manifest(request, connection);
  });
  std::vector<RetryNotice> notices;
  ClientOptions options = fast_options();
  options.on_retry = [&](const RetryNotice& notice) { notices.push_back(notice); };
  auto client = client_for(server, {}, options);
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_GE(notices[0].delay, std::chrono::milliseconds(1000));  // Not the 1 ms backoff.
  EXPECT_EQ(notices[0].next_attempt, 2);
  EXPECT_NE(notices[0].failure.find("503"), std::string::npos) << notices[0].failure;
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(ClientRetry, GivesUpAfterThePolicysAttemptsSayingHowMany) {
  TestServer server([](const ServerRequest&, ServerConnection& connection) {
    connection.respond(503, "busy", {{"Docker-Distribution-API-Version", "registry/2.0"}});
  });
  auto client = client_for(server);
  Error error = error_of([&] { client->fetch_manifest("team/app", "v1"); });
  EXPECT_NE(std::string(error.what()).find("gave up after 3 attempts"), std::string::npos)
      << error.what();
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(ClientRetry, FailsAtOnceWhenRetryAfterExceedsThePolicysPatience) {
  TestServer server([](const ServerRequest&, ServerConnection& connection) {
    connection.respond(503, "busy", {{"Retry-After", "3600"}});
  });
  auto client = client_for(server);
  Error error = error_of([&] { client->fetch_manifest("team/app", "v1"); });
  EXPECT_NE(std::string(error.what()).find("retry after 3600 s"), std::string::npos)
      << error.what();
  EXPECT_EQ(server.requests().size(), 1u);
}

}  // namespace
}  // namespace hocker::registry
