#include "hocker/cache/token_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

namespace hocker::cache {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const auth::TokenKey kAlice{"127.0.0.1:5000", "repository:library/hello:pull",
                            "basic\nalice\nhunter2"};

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("hocker-token-store-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  TokenStore store() {
    return TokenStore(root_.string(), [this] { return now_; });
  }
  fs::path token_path(const auth::TokenKey& key) const {
    return root_ / "auth" / TokenStore::token_file_name(key);
  }
  void overwrite(const fs::path& path, const std::string& text) const {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  fs::path root_;
  TokenStore::WallClock::time_point now_ = TokenStore::WallClock::time_point(1'800'000'000s);
};

TEST_F(TokenStoreTest, HandsATokenBackWithTheSecondsItHasLeft) {
  store().remember_token(kAlice, {"tok.en", 300s});
  now_ += 100s;
  auto token = store().token(kAlice);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->value, "tok.en");
  EXPECT_EQ(token->lifetime, 200s);
}

TEST_F(TokenStoreTest, ForgetsATokenOnceItExpired) {
  store().remember_token(kAlice, {"tok.en", 60s});
  now_ += 60s;
  EXPECT_FALSE(store().token(kAlice));
}

TEST_F(TokenStoreTest, KeepsTokensApartByRegistryScopeAndIdentity) {
  store().remember_token(kAlice, {"alices", 300s});
  auth::TokenKey others[] = {
      {"127.0.0.1:5001", kAlice.scope, kAlice.identity},
      {kAlice.registry, "repository:library/other:pull", kAlice.identity},
      {kAlice.registry, kAlice.scope, "anonymous"},
      {kAlice.registry, kAlice.scope, "basic\nalice\nother"},
  };
  for (const auth::TokenKey& key : others) {
    SCOPED_TRACE(key.registry + " " + key.scope);
    EXPECT_FALSE(store().token(key));
  }
}

TEST_F(TokenStoreTest, WritesFilesOnlyTheUserCanReadAndNoSecretButTheToken) {
  store().remember_token(kAlice, {"tok.en", 300s});
  store().remember_realm("127.0.0.1:5000", {"http://127.0.0.1:5001/token", "registry"});
  struct stat info {};
  ASSERT_EQ(::stat((root_ / "auth").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(root_ / "auth")) {
    ++files;
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0600u) << entry.path();
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << entry.path();
    EXPECT_EQ(entry.path().filename().string().find("alice"), std::string::npos);
  }
  EXPECT_EQ(files, 2);
}

TEST_F(TokenStoreTest, IgnoresMalformedTokenFiles) {
  const char* bad[] = {"",
                       "garbage",
                       "hocker-token 1\n1900000000\n",
                       "hocker-token 1\nsoon\nt\n",
                       "hocker-token 1\n1900000000\nwith space\n",
                       "hocker-token 1\n1900000000\nt",
                       "hocker-token 2\n1900000000\nt\n"};
  store().remember_token(kAlice, {"tok.en", 300s});
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    overwrite(token_path(kAlice), text);
    EXPECT_FALSE(store().token(kAlice));
  }
  store().remember_token(kAlice, {"again", 300s});  // Replaced by the next one.
  ASSERT_TRUE(store().token(kAlice));
  EXPECT_EQ(store().token(kAlice)->value, "again");
}

TEST_F(TokenStoreTest, IgnoresATokenFileThatIsASymlink) {
  store().remember_token(kAlice, {"tok.en", 300s});
  fs::path target = root_ / "elsewhere";
  overwrite(target, "hocker-token 1\n1900000000\nplanted\n");
  fs::remove(token_path(kAlice));
  fs::create_symlink(target, token_path(kAlice));
  EXPECT_FALSE(store().token(kAlice));
}

TEST_F(TokenStoreTest, RemembersARealmPerRegistry) {
  store().remember_realm("127.0.0.1:5000", {"https://auth.example.com/token", "registry"});
  auto realm = store().realm("127.0.0.1:5000");
  ASSERT_TRUE(realm);
  EXPECT_EQ(realm->realm, "https://auth.example.com/token");
  EXPECT_EQ(realm->service, "registry");
  EXPECT_FALSE(store().realm("127.0.0.1:5001"));
}

TEST_F(TokenStoreTest, RefusesToRememberTextThatWouldBreakTheFormat) {
  store().remember_realm("127.0.0.1:5000", {"https://a/token\nhttps://b", ""});
  EXPECT_FALSE(store().realm("127.0.0.1:5000"));
  store().remember_token(kAlice, {"two\nlines", 300s});
  EXPECT_FALSE(store().token(kAlice));
}

TEST_F(TokenStoreTest, RealmsOnlyKeepsRealmsAndNeverWritesATokenFile) {
  auto inner = std::make_shared<TokenStore>(root_.string(), [this] { return now_; });
  auth::RealmsOnly memory(inner);
  memory.remember_realm("127.0.0.1:5000", {"http://127.0.0.1:5001/token", "registry"});
  memory.remember_token(kAlice, {"secret-token", 300s});
  EXPECT_FALSE(memory.token(kAlice).has_value());
  EXPECT_FALSE(fs::exists(token_path(kAlice)));
  ASSERT_TRUE(memory.realm("127.0.0.1:5000").has_value());
  EXPECT_EQ(memory.realm("127.0.0.1:5000")->realm, "http://127.0.0.1:5001/token");
  inner->remember_token(kAlice, {"secret-token", 300s});
  EXPECT_FALSE(memory.token(kAlice).has_value()) << "not even one the inner store holds";
}

using Variables = std::map<std::string, std::string>;

std::optional<std::string> realm_folder(const Variables& variables) {
  return realm_memory_directory([&variables](const char* name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  });
}

TEST_F(TokenStoreTest, RealmMemoryLivesInTheUserCacheFolder) {
  fs::create_directories(root_ / "home");
  std::string home = (root_ / "home").string();
  EXPECT_EQ(realm_folder({{"XDG_CACHE_HOME", "/x/cache"}, {"HOME", home}}), "/x/cache/hocker");
  EXPECT_EQ(realm_folder({{"HOME", home}}), home + "/.cache/hocker");
  EXPECT_EQ(realm_folder({{"XDG_CACHE_HOME", "relative"}, {"HOME", home}}),
            home + "/.cache/hocker");
}

TEST_F(TokenStoreTest, RealmMemoryIsOffWithoutAHomeOrWhenTurnedOff) {
  fs::create_directories(root_ / "home");
  std::string home = (root_ / "home").string();
  EXPECT_FALSE(realm_folder({}).has_value());
  EXPECT_FALSE(realm_folder({{"HOME", "/homeless-shelter-that-does-not-exist"}}).has_value());
  EXPECT_FALSE(realm_folder({{"HOME", "relative/home"}}).has_value());
  EXPECT_FALSE(
      realm_folder({{"HOCKER_REALM_MEMORY", "0"}, {"XDG_CACHE_HOME", "/x"}, {"HOME", home}})
          .has_value());
  EXPECT_TRUE(realm_folder({{"HOCKER_REALM_MEMORY", "1"}, {"HOME", home}}).has_value());
}

}  // namespace
}  // namespace hocker::cache
