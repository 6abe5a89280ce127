#include <gtest/gtest.h>

#include "hocker/auth/credentials.h"
#include "hocker/auth/test_support.h"
#include "hocker/base/base64.h"

namespace hocker::auth {
namespace {

using namespace std::chrono_literals;
using testing::ScopedEnvironment;
using testing::ScratchDirectory;
using Kind = Credentials::Kind;

// A config file and helper scripts in a scratch directory put first on PATH.
class DockerConfig : public ::testing::Test {
 protected:
  DockerConfig()
      : path_("PATH",
              directory_.path() + ":" +
                  std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin")) {}

  std::optional<Credentials> lookup(const std::string& config, std::string_view domain,
                                    std::chrono::milliseconds timeout = 10s) {
    std::string path = directory_.write("config.json", config);
    return docker_config_credentials_from(path, domain, warn_, timeout);
  }
  void helper(const std::string& name, const std::string& body) {
    directory_.write("docker-credential-" + name, "#!/bin/sh\n" + body, 0755);
  }

  ScratchDirectory directory_;
  ScopedEnvironment path_;
  std::vector<std::string> warnings_;
  Warn warn_ = [this](const std::string& message) { warnings_.push_back(message); };
};

std::string auths(const std::string& key, const std::string& entry) {
  return R"({"auths":{")" + key + R"(":)" + entry + "}}";
}

std::string auth_of(const std::string& user_colon_password) {
  return R"({"auth":")" + base64_encode(user_colon_password) + R"("})";
}

TEST_F(DockerConfig, MatchesDockerHubUnderItsV1Key) {
  std::string config = auths("https://index.docker.io/v1/", auth_of("hubuser:hubpass"));
  for (const char* domain : {"docker.io", "registry-1.docker.io", "index.docker.io"}) {
    SCOPED_TRACE(domain);
    auto credentials = lookup(config, domain);
    ASSERT_TRUE(credentials.has_value());
    EXPECT_EQ(credentials->kind, Kind::kBasic);
    EXPECT_EQ(credentials->username, "hubuser");
    EXPECT_EQ(credentials->secret.reveal(), "hubpass");
  }
  EXPECT_FALSE(lookup(config, "ghcr.io").has_value());
}

TEST_F(DockerConfig, MatchesOtherRegistriesByHostAndPort) {
  struct Case {
    const char* key;
    const char* domain;
    bool matches;
  } cases[] = {
      {"localhost:5000", "localhost:5000", true},
      {"http://localhost:5000", "localhost:5000", true},
      {"https://registry.example.com/v1/", "registry.example.com", true},
      {"https://Registry.Example.com", "registry.example.com", true},
      {"localhost:5000", "localhost:5001", false},
      {"localhost", "localhost:5000", false},
      {"registry.example.com.evil", "registry.example.com", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.key) + " vs " + c.domain);
    auto credentials = lookup(auths(c.key, auth_of("u:p:with:colons")), c.domain);
    EXPECT_EQ(credentials.has_value(), c.matches);
    if (credentials) {
      EXPECT_EQ(credentials->secret.reveal(), "p:with:colons");
    }
  }
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(DockerConfig, ReadsUsernameAndPasswordFields) {
  auto credentials =
      lookup(auths("ghcr.io", R"({"username":"octo","password":"ghp_x"})"), "ghcr.io");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->username, "octo");
  EXPECT_EQ(credentials->secret.reveal(), "ghp_x");
  EXPECT_NE(credentials->source.find("config.json"), std::string::npos);
}

TEST_F(DockerConfig, ReadsAnIdentityToken) {
  auto credentials =
      lookup(auths("myacr.azurecr.io", R"({"auth":")" + base64_encode("00000000-0000:") +
                                           R"(","identitytoken":"refresh-me"})"),
             "myacr.azurecr.io");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->kind, Kind::kIdentityToken);
  EXPECT_EQ(credentials->secret.reveal(), "refresh-me");
}

TEST_F(DockerConfig, SkipsABrokenBase64AuthWithOneWarning) {
  auto credentials = lookup(auths("ghcr.io", R"({"auth":"c2VjcmV0!!!"})"), "ghcr.io");
  EXPECT_FALSE(credentials.has_value());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0].find("c2VjcmV0"), std::string::npos) << warnings_[0];
}

TEST_F(DockerConfig, RunsTheCredentialHelperOfTheRegistry) {
  helper("test", R"(read url
[ "$1" = get ] || exit 3
printf '{"ServerURL":"%s","Username":"%s","Secret":"from-helper"}' "$url" "$url"
)");
  std::string config = R"({"credHelpers":{"ghcr.io":"test"},)"
                       R"("auths":{"ghcr.io":{"auth":")" +
                       base64_encode("file:pw") + R"("}}})";
  auto credentials = lookup(config, "ghcr.io");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->kind, Kind::kBasic);
  EXPECT_EQ(credentials->username, "ghcr.io");
  EXPECT_EQ(credentials->secret.reveal(), "from-helper");
  EXPECT_EQ(credentials->source, "credential helper docker-credential-test");
}

TEST_F(DockerConfig, GivesTheStoreDockerHubsServerUrl) {
  helper("store", R"(read url
printf '{"Username":"%s","Secret":"s"}' "$url")");
  std::string config = R"({"auths":{"https://index.docker.io/v1/":{}},"credsStore":"store"})";
  auto credentials = lookup(config, "docker.io");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->username, "https://index.docker.io/v1/");
}

TEST_F(DockerConfig, PrefersAuthsEntriesToTheStore) {
  std::string config = R"({"credsStore":"absent","auths":{"ghcr.io":)" + auth_of("a:b") + "}}";
  auto credentials = lookup(config, "ghcr.io");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->username, "a");
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(DockerConfig, ReadsAnIdentityTokenFromAHelper) {
  helper("id", R"(printf '{"Username":"<token>","Secret":"refresh"}')");
  auto credentials = lookup(R"({"credsStore":"id"})", "ghcr.io");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->kind, Kind::kIdentityToken);
}

TEST_F(DockerConfig, WarnsOnceWhenTheHelperIsMissing) {
  EXPECT_FALSE(lookup(R"({"credsStore":"hocker-no-such-helper"})", "ghcr.io").has_value());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("docker-credential-hocker-no-such-helper"), std::string::npos);
}

TEST_F(DockerConfig, WarnsOnceWhenTheHelperFailsOrPrintsJunk) {
  helper("fails", "echo 'secret-ish diagnostics' >&2; exit 2\n");
  helper("junk", "echo 'hunter2 is not json'\n");
  EXPECT_FALSE(lookup(R"({"credsStore":"fails"})", "ghcr.io").has_value());
  EXPECT_FALSE(lookup(R"({"credsStore":"junk"})", "ghcr.io").has_value());
  ASSERT_EQ(warnings_.size(), 2u);
  for (const std::string& warning : warnings_) {
    EXPECT_EQ(warning.find("hunter2"), std::string::npos) << warning;
    EXPECT_EQ(warning.find('\n'), std::string::npos) << warning;
  }
}

TEST_F(DockerConfig, KillsAHelperThatHangs) {
  helper("hangs", "sleep 60\n");
  EXPECT_FALSE(lookup(R"({"credsStore":"hangs"})", "ghcr.io", 300ms).has_value());
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("timed out"), std::string::npos) << warnings_[0];
}

TEST_F(DockerConfig, TakesNotFoundFromAHelperAsAPlainMiss) {
  helper("empty", "echo 'credentials not found in native keychain'; exit 1\n");
  EXPECT_FALSE(lookup(R"({"credsStore":"empty"})", "ghcr.io").has_value());
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(DockerConfig, RefusesHelperNamesThatArePaths) {
  EXPECT_FALSE(lookup(R"({"credsStore":"../../bin/sh"})", "ghcr.io").has_value());
  EXPECT_EQ(warnings_.size(), 1u);
}

TEST_F(DockerConfig, WarnsAboutAConfigThatIsNotJson) {
  EXPECT_FALSE(lookup("{\"auths\": ", "ghcr.io").has_value());
  EXPECT_EQ(warnings_.size(), 1u);
}

TEST_F(DockerConfig, IsSilentWithoutHomeOrConfig) {
  ScopedEnvironment config("DOCKER_CONFIG", std::nullopt), home("HOME", std::nullopt);
  EXPECT_FALSE(docker_config_credentials("docker.io", warn_).has_value());
  ScopedEnvironment empty_home("HOME", directory_.path());
  EXPECT_FALSE(docker_config_credentials("docker.io", warn_).has_value());
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(DockerConfig, FindsTheConfigThroughDockerConfigOrHome) {
  directory_.write("home/.docker/config.json", auths("ghcr.io", auth_of("home:pw")));
  directory_.write("dc/config.json", auths("ghcr.io", auth_of("dc:pw")));
  ScopedEnvironment home("HOME", directory_.path() + "/home");
  {
    ScopedEnvironment config("DOCKER_CONFIG", std::nullopt);
    EXPECT_EQ(docker_config_credentials("ghcr.io", warn_)->username, "home");
  }
  ScopedEnvironment config("DOCKER_CONFIG", directory_.path() + "/dc");
  EXPECT_EQ(docker_config_credentials("ghcr.io", warn_)->username, "dc");
}

}  // namespace
}  // namespace hocker::auth
