// What the authenticator remembers across runs through a TokenMemory: the realm a challenge
// named, and tokens per registry, scope and credential identity.
#include <gtest/gtest.h>

#include <map>

#include "hocker/auth/authenticator.h"
#include "hocker/http/test_server.h"

namespace hocker::auth {
namespace {

using http::testing::ServerConnection;
using http::testing::ServerRequest;
using http::testing::TestServer;
using Kind = Credentials::Kind;
using namespace std::chrono_literals;

constexpr const char* kScope = "repository:library/hello:pull";
constexpr const char* kUrl = "http://127.0.0.1:5000/v2/library/hello/manifests/latest";

// In memory, keyed by the full identity text (the file store hashes it).
class FakeMemory final : public TokenMemory {
 public:
  std::optional<RememberedRealm> realm(const std::string& registry) override {
    auto found = realms.find(registry);
    if (found == realms.end()) return std::nullopt;
    return found->second;
  }
  void remember_realm(const std::string& registry, const RememberedRealm& realm) override {
    realms[registry] = realm;
  }
  std::optional<RememberedToken> token(const TokenKey& key) override {
    auto found = tokens.find(text_of(key));
    if (found == tokens.end()) return std::nullopt;
    return found->second;
  }
  void remember_token(const TokenKey& key, const RememberedToken& token) override {
    tokens[text_of(key)] = token;
  }
  static std::string text_of(const TokenKey& key) {
    return key.registry + "|" + key.scope + "|" + key.identity;
  }
  std::map<std::string, RememberedRealm> realms;
  std::map<std::string, RememberedToken> tokens;
};

Credentials alice() {
  return {Kind::kBasic, "alice", Secret("hunter2"), "--username"};
}

TestServer token_server(const char* answer = R"({"token":"fresh","expires_in":300})") {
  return TestServer(
      [answer](const ServerRequest&, ServerConnection& c) { c.respond(200, answer); });
}

TEST(AuthenticatorMemory, RemembersTheRealmAndTheTokenAChallengeBrought) {
  TestServer tokens = token_server();
  auto memory = std::make_shared<FakeMemory>();
  Authenticator authenticator(alice(), "127.0.0.1:5000");
  authenticator.set_memory(memory);
  http::Transport transport({});
  authenticator.handle_challenge(
      transport, R"(Bearer realm=")" + tokens.url("/token") + R"(",service="reg")", kScope, kUrl);
  ASSERT_EQ(memory->realms.count("127.0.0.1:5000"), 1u);
  EXPECT_EQ(memory->realms["127.0.0.1:5000"].realm, tokens.url("/token"));
  EXPECT_EQ(memory->realms["127.0.0.1:5000"].service, "reg");
  ASSERT_EQ(memory->tokens.size(), 1u);
  EXPECT_EQ(memory->tokens.begin()->second.value, "fresh");
  EXPECT_EQ(memory->tokens.begin()->second.lifetime, 300s);
  // The identity is not the secret alone: the whole key names who the token is for.
  EXPECT_NE(memory->tokens.begin()->first.find("alice"), std::string::npos);
}

TEST(AuthenticatorMemory, AsksTheRememberedRealmBeforeAnyChallenge) {
  TestServer tokens = token_server();
  auto memory = std::make_shared<FakeMemory>();
  memory->realms["127.0.0.1:5000"] = {tokens.url("/token"), "reg"};
  Authenticator authenticator(alice(), "127.0.0.1:5000");
  authenticator.set_memory(memory);
  http::Transport transport({});
  EXPECT_TRUE(authenticator.prepare(transport, kScope, kUrl));
  EXPECT_EQ(authenticator.authorization(kScope), "Bearer fresh");
  ASSERT_EQ(tokens.requests().size(), 1u);
  EXPECT_EQ(tokens.requests()[0].target,
            "/token?service=reg&scope=repository%3Alibrary%2Fhello%3Apull&account=alice");
}

TEST(AuthenticatorMemory, UsesARememberedTokenOfTheSameIdentityWithoutAnyRequest) {
  TestServer tokens = token_server();
  auto memory = std::make_shared<FakeMemory>();
  memory->realms["127.0.0.1:5000"] = {tokens.url("/token"), "reg"};
  {
    Authenticator first(alice(), "127.0.0.1:5000");
    first.set_memory(memory);
    http::Transport transport({});
    ASSERT_TRUE(first.prepare(transport, kScope, kUrl));
  }
  Authenticator second(alice(), "127.0.0.1:5000");
  second.set_memory(memory);
  http::Transport transport({});
  EXPECT_TRUE(second.prepare(transport, kScope, kUrl));
  EXPECT_EQ(second.authorization(kScope), "Bearer fresh");
  EXPECT_EQ(tokens.requests().size(), 1u);
}

TEST(AuthenticatorMemory, NeverOffersATokenOfOtherCredentials) {
  auto memory = std::make_shared<FakeMemory>();
  Authenticator owner(alice(), "127.0.0.1:5000");
  memory->tokens[FakeMemory::text_of({"127.0.0.1:5000", kScope, "basic\nalice\nhunter2"})] = {
      "alices", 300s};
  struct Case {
    const char* name = nullptr;
    Credentials credentials;
  } cases[] = {
      {"anonymous", Credentials{}},
      {"another user", {Kind::kBasic, "bob", Secret("hunter2"), "--username"}},
      {"another password", {Kind::kBasic, "alice", Secret("other"), "--username"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Authenticator authenticator(c.credentials, "127.0.0.1:5000");
    authenticator.set_memory(memory);
    http::Transport transport({});
    EXPECT_FALSE(authenticator.prepare(transport, kScope, kUrl));  // No realm remembered.
    EXPECT_EQ(authenticator.authorization(kScope).find("alices"), std::string::npos);
  }
  owner.set_memory(memory);
  http::Transport transport({});
  EXPECT_TRUE(owner.prepare(transport, kScope, kUrl));
  EXPECT_EQ(owner.authorization(kScope), "Bearer alices");
}

TEST(AuthenticatorMemory, IgnoresARememberedTokenWithinTheExpiryMargin) {
  auto memory = std::make_shared<FakeMemory>();
  memory->tokens[FakeMemory::text_of({"127.0.0.1:5000", kScope, "anonymous"})] = {"old", 10s};
  Authenticator authenticator(Credentials{}, "127.0.0.1:5000");
  authenticator.set_memory(memory);
  http::Transport transport({});
  EXPECT_FALSE(authenticator.prepare(transport, kScope, kUrl));
  EXPECT_EQ(authenticator.authorization(kScope), "");
}

TEST(AuthenticatorMemory, FallsBackQuietlyWhenTheRememberedRealmRefuses) {
  TestServer tokens(
      [](const ServerRequest&, ServerConnection& c) { c.respond(401, R"({"details":"no"})"); });
  auto memory = std::make_shared<FakeMemory>();
  memory->realms["127.0.0.1:5000"] = {tokens.url("/token"), "reg"};
  Authenticator authenticator(alice(), "127.0.0.1:5000");
  authenticator.set_memory(memory);
  http::Transport transport({});
  EXPECT_FALSE(authenticator.prepare(transport, kScope, kUrl));
  EXPECT_FALSE(authenticator.prepare(transport, kScope, kUrl));  // Tried once per scope.
  EXPECT_EQ(tokens.requests().size(), 1u);
  EXPECT_EQ(authenticator.authorization(kScope), "");
}

TEST(AuthenticatorMemory, DoesNotAskARememberedPlainHttpRealmForAnHttpsRegistry) {
  auto memory = std::make_shared<FakeMemory>();
  memory->realms["registry.example.com"] = {"http://203.0.113.7:9/token", ""};
  Authenticator authenticator(alice(), "registry.example.com");
  authenticator.set_memory(memory);
  http::Transport transport({});
  EXPECT_FALSE(authenticator.prepare(transport, kScope, "https://registry.example.com/v2/"));
}

TEST(AuthenticatorMemory, RemembersNothingWithoutAMemory) {
  TestServer tokens = token_server();
  Authenticator authenticator(alice(), "127.0.0.1:5000");
  http::Transport transport({});
  EXPECT_FALSE(authenticator.prepare(transport, kScope, kUrl));
  EXPECT_TRUE(tokens.requests().empty());
}

}  // namespace
}  // namespace hocker::auth
