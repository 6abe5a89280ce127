#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/ref/reference.h"

namespace hocker::ref {
namespace {

TEST(Registry, DockerHubIsReachedThroughRegistry1) {
  Registry hub = Reference::parse("debian").registry;
  EXPECT_TRUE(hub.is_docker_hub());
  EXPECT_EQ(hub.api_host(), "registry-1.docker.io");
  EXPECT_EQ(hub.base_url(), "https://registry-1.docker.io");
  EXPECT_FALSE(hub.is_loopback());
}

TEST(IsDockerHubHost, KnowsEachOfDockerHubsNamesInAnyCase) {
  for (const char* host : {"docker.io", "index.docker.io", "registry-1.docker.io", "Docker.IO",
                           "INDEX.DOCKER.IO", "Registry-1.Docker.Io"}) {
    SCOPED_TRACE(host);
    EXPECT_TRUE(is_docker_hub_host(host));
  }
}

TEST(IsDockerHubHost, RefusesLookalikesPortsAndOtherRegistries) {
  for (const char* host :
       {"", "docker.io:443", "https://index.docker.io/v1/", "docker.io.", "registry-2.docker.io",
        "evil-docker.io", "ghcr.io", "localhost:5000", "docker.io\n", "\xc4\xb1ndex.docker.io"}) {
    SCOPED_TRACE(host);
    EXPECT_FALSE(is_docker_hub_host(host));
  }
}

TEST(Registry, ParsesRegistryUris) {
  struct Case {
    std::string uri, domain, scheme, base_url;
  } cases[] = {
      {"https://registry.example.com:5000", "registry.example.com:5000", "https",
       "https://registry.example.com:5000"},
      {"http://127.0.0.1:5000/v2/", "127.0.0.1:5000", "http", "http://127.0.0.1:5000"},
      {"https://registry-1.docker.io/v2/", "docker.io", "https", "https://registry-1.docker.io"},
      {"https://index.docker.io/v2", "docker.io", "https", "https://registry-1.docker.io"},
      {"registry.example.com", "registry.example.com", "", "https://registry.example.com"},
      {"registry.example.com/", "registry.example.com", "", "https://registry.example.com"},
      {"HTTP://localhost:5000", "localhost:5000", "http", "http://localhost:5000"},
      {"http://[::1]:5000/v2/", "[::1]:5000", "http", "http://[::1]:5000"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.uri);
    Registry registry = Registry::parse_uri(c.uri);
    EXPECT_EQ(registry.domain, c.domain);
    EXPECT_EQ(registry.scheme, c.scheme);
    EXPECT_EQ(registry.base_url(), c.base_url);
  }
}

TEST(Registry, RefusesUrisWithPathsCredentialsOrQueries) {
  struct Case {
    std::string uri, reason;
  } cases[] = {
      {"", "host is empty"},
      {"https://", "host is empty"},
      {"ftp://example.com", "scheme"},
      {"https://user:secret@example.com", "credentials"},
      {"https://example.com/v2/library", "path"},
      {"https://example.com/v1/", "path"},
      {"https://example.com/v2/?x=1", "query"},
      {"https://example.com#frag", "fragment"},
      {"https://example.com:0", "port"},
      {"https://example.com:", "port"},
      {"https://:5000", "no host"},
      {"https://exa mple.com", "host"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.uri);
    try {
      Registry::parse_uri(c.uri);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kUsage);
      std::string message = error.what();
      EXPECT_NE(message.find(c.reason), std::string::npos) << message;
      EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    }
  }
}

TEST(Registry, RecognisesLoopbackHosts) {
  struct Case {
    std::string domain;
    bool loopback;
  } cases[] = {
      {"localhost", true},           {"localhost:5000", true},
      {"LOCALHOST:1", true},         {"127.0.0.1", true},
      {"127.1.2.3:5000", true},      {"[::1]", true},
      {"[::1]:5000", true},          {"docker.io", false},
      {"127.0.0.1.nip.io", false},   {"128.0.0.1", false},
      {"[2001:db8::1]:5000", false}, {"localhost.example.com", false},
      {"127.0.0.256", false},        {"127.0.0", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.domain);
    EXPECT_EQ((Registry{c.domain, ""}.is_loopback()), c.loopback);
  }
}

}  // namespace
}  // namespace hocker::ref
