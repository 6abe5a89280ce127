// ClientOptions::warm_connection: a second registry connection opened while the token is
// fetched, counted on the test server (never timed).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "hocker/base/base64.h"
#include "hocker/registry/client_test_support.h"

namespace hocker::registry {
namespace {

using namespace testing;
using auth::Credentials;

constexpr auto kPatience = std::chrono::seconds(10);  // Only a broken client waits this long.

// A Bearer registry whose token server answers only once the registry has seen a GET of
// /v2/ (or kPatience passed; unless told not to hold it), and whose manifests, asked two at
// once, answer only once both are in (or kPatience passed): what the client opens meanwhile
// shows in the counts.
class SlowTokenRegistry {
 public:
  /// `hold_token`: false for a client that is not to ping at all (no point waiting for it).
  explicit SlowTokenRegistry(bool hold_token = true)
      : token_server_([this, hold_token](const ServerRequest&, ServerConnection& connection) {
          std::unique_lock lock(mutex_);
          auto pinged = [&] { return pings_ > 0; };
          ping_before_token_ = hold_token ? changed_.wait_for(lock, kPatience, pinged) : pinged();
          connection.respond(200, R"({"token":"tok-1"})");
        }),
        registry_([this](const ServerRequest& request, ServerConnection& connection) {
          serve(request, connection);
        }) {}
  TestServer& registry() { return registry_; }
  TestServer& token_server() { return token_server_; }
  bool ping_before_token() {
    std::lock_guard lock(mutex_);
    return ping_before_token_;
  }
  int pings() {
    std::lock_guard lock(mutex_);
    return pings_;
  }
  /// Makes each manifest request wait until `count` of them are in at once.
  void gather_manifests(int count) {
    std::lock_guard lock(mutex_);
    gather_ = count;
  }

 private:
  void serve(const ServerRequest& request, ServerConnection& connection) {
    std::unique_lock lock(mutex_);
    if (request.target == "/v2/") ++pings_;
    changed_.notify_all();
    if (request.headers.get("Authorization").value_or("") != "Bearer tok-1") {
      lock.unlock();
      std::string challenge = R"(Bearer realm=")" + token_server_.url("/token") +
                              R"(",service="test",scope="repository:team/app:pull")";
      return connection.respond(401, "{}", {{"WWW-Authenticate", challenge}});
    }
    ++waiting_;
    changed_.notify_all();
    changed_.wait_for(lock, kPatience, [&] { return waiting_ >= gather_; });
    lock.unlock();
    connection.respond(200, kManifest, {{"Content-Type", "application/json"}});
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int pings_ = 0;
  int waiting_ = 0;
  int gather_ = 0;
  bool ping_before_token_ = false;
  TestServer token_server_;
  TestServer registry_;
};

// Knows one realm and no token, as after an earlier run that kept only realms.
class RealmMemory final : public auth::TokenMemory {
 public:
  explicit RealmMemory(std::string realm) : realm_(std::move(realm)) {}
  std::optional<auth::RememberedRealm> realm(const std::string& /*registry*/) override {
    return auth::RememberedRealm{realm_, "test"};
  }
  void remember_realm(const std::string& /*registry*/,
                      const auth::RememberedRealm& /*realm*/) override {}
  std::optional<auth::RememberedToken> token(const auth::TokenKey& /*key*/) override {
    return std::nullopt;
  }
  void remember_token(const auth::TokenKey& /*key*/,
                      const auth::RememberedToken& /*token*/) override {}

 private:
  std::string realm_;
};

std::unique_ptr<Client> client_remembering_realm(SlowTokenRegistry& slow, ClientOptions options) {
  auto authenticator = std::make_shared<auth::Authenticator>(Credentials{}, "test");
  authenticator->set_memory(std::make_shared<RealmMemory>(slow.token_server().url("/token")));
  return std::make_unique<Client>(loopback(slow.registry()), std::move(authenticator),
                                  std::move(options));
}

ClientOptions warming(bool warm) {
  ClientOptions options = fast_options();
  options.plain_http = true;
  options.warm_connection = warm;
  return options;
}

TEST(ClientWarmConnection, OpensASecondConnectionBeforeTheTokenAnswers) {
  SlowTokenRegistry slow;
  auto client = client_for(slow.registry(), {}, warming(true));
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  client->wait_for_warming();
  EXPECT_TRUE(slow.ping_before_token());
  EXPECT_EQ(slow.pings(), 1);
  EXPECT_EQ(slow.registry().connection_count(), 2);
  EXPECT_EQ(slow.token_server().requests().size(), 1u);
}

TEST(ClientWarmConnection, TwoConcurrentRequestsAfterwardsFindBothConnectionsOpen) {
  SlowTokenRegistry slow;
  auto client = client_for(slow.registry(), {}, warming(true));
  client->fetch_manifest("team/app", "v1");
  client->wait_for_warming();
  int before = slow.registry().connection_count();
  slow.gather_manifests(3);  // The first one, and two at once.
  std::thread other([&] { client->fetch_manifest("team/app", "v2"); });
  client->fetch_manifest("team/app", "v3");
  other.join();
  EXPECT_EQ(slow.registry().connection_count(), before) << "no connection opened for them";
  EXPECT_EQ(before, 2);
}

TEST(ClientWarmConnection, OpensNothingMoreUnlessAsked) {
  SlowTokenRegistry slow(/*hold_token=*/false);
  auto client = client_for(slow.registry(), {}, warming(false));
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  client->wait_for_warming();
  EXPECT_EQ(slow.pings(), 0);
  EXPECT_EQ(slow.registry().connection_count(), 1);
}

TEST(ClientWarmConnection, WarmsOnceWhateverTheNumberOfChallenges) {
  SlowTokenRegistry slow;
  auto client = client_for(slow.registry(), {}, warming(true));
  client->fetch_manifest("team/app", "v1");
  client->fetch_manifest("team/other", "v1");  // Another scope: another challenge and token.
  client->wait_for_warming();
  EXPECT_EQ(slow.token_server().requests().size(), 2u);
  EXPECT_EQ(slow.pings(), 1);
}

TEST(ClientWarmConnection, OpensNothingMoreForABasicChallenge) {
  std::string expected = "Basic " + base64_encode("alice:hunter2");
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    if (request.headers.get("Authorization") == expected) {
      return connection.respond(200, kManifest, {{"Content-Type", "application/json"}});
    }
    connection.respond(401, "{}", {{"WWW-Authenticate", R"(Basic realm="test")"}});
  });
  auto client = client_for(server, {Credentials::Kind::kBasic, "alice", Secret("hunter2"), "-u"},
                           warming(true));
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  client->wait_for_warming();
  EXPECT_EQ(server.connection_count(), 1);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(ClientWarmConnection, WithARememberedRealmOpensTwoConnectionsWhileTheTokenIsFetched) {
  SlowTokenRegistry slow;
  auto client = client_remembering_realm(slow, warming(true));
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  EXPECT_TRUE(slow.ping_before_token());
  EXPECT_EQ(slow.pings(), 2);
  // No 401 round trip, and the manifest went on a connection opened meanwhile.
  EXPECT_EQ(slow.registry().requests().size(), 3u);
  EXPECT_EQ(slow.registry().connection_count(), 2);
  EXPECT_EQ(slow.token_server().requests().size(), 1u);
  slow.gather_manifests(3);  // The first one, and two at once: both find a connection open.
  std::thread other([&] { client->fetch_manifest("team/app", "v2"); });
  client->fetch_manifest("team/app", "v3");
  other.join();
  EXPECT_EQ(slow.registry().connection_count(), 2);
}

TEST(ClientWarmConnection, WithARememberedRealmOpensNothingMoreUnlessAsked) {
  SlowTokenRegistry slow(/*hold_token=*/false);
  auto client = client_remembering_realm(slow, warming(false));
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").raw, kManifest);
  client->wait_for_warming();
  EXPECT_EQ(slow.pings(), 0);
  EXPECT_EQ(slow.registry().requests().size(), 1u);
  EXPECT_EQ(slow.registry().connection_count(), 1);
}

}  // namespace
}  // namespace hocker::registry
