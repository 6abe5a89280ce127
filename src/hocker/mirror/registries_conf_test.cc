#include "hocker/mirror/registries_conf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"

namespace hocker::mirror {
namespace {

using test_support::kind_of;

constexpr const char* kPath = "/etc/containers/registries.conf";

TEST(ParseRegistriesConf, ReadsRegistriesAndTheirMirrorsInOrder) {
  RegistriesConf conf = parse_registries_conf(R"(
unqualified-search-registries = ["docker.io"]

[[registry]]
prefix = "docker.io"
location = "registry-1.docker.io"
insecure = false

[[registry.mirror]]
location = "mirror.example.com:5000/hub"
pull-from-mirror = "all"

[[registry.mirror]]
location = "127.0.0.1:5001"
insecure = true

[[registry]]
location = "quay.io"
blocked = true
)",
                                              kPath);
  EXPECT_EQ(conf.path, kPath);
  ASSERT_EQ(conf.registries.size(), 2u);
  const RegistryEntry& hub = conf.registries[0];
  EXPECT_EQ(hub.prefix, "docker.io");
  EXPECT_EQ(hub.location, "registry-1.docker.io");
  EXPECT_EQ(hub.line, 4);
  ASSERT_EQ(hub.mirrors.size(), 2u);
  EXPECT_EQ(hub.mirrors[0].location, "mirror.example.com:5000/hub");
  EXPECT_EQ(hub.mirrors[0].pull_from_mirror, PullFromMirror::kAll);
  EXPECT_FALSE(hub.mirrors[0].insecure);
  EXPECT_EQ(hub.mirrors[1].pull_from_mirror, PullFromMirror::kDigestOnly);
  EXPECT_TRUE(hub.mirrors[1].insecure);
  EXPECT_EQ(conf.registries[1].prefix, "quay.io");  // The location, when no prefix is given.
  EXPECT_TRUE(conf.registries[1].blocked);
}

TEST(ParseRegistriesConf, IgnoresUnknownKeysAndTables) {
  RegistriesConf conf = parse_registries_conf(R"(
short-name-mode = "enforcing"
credential-helpers = ["containers-auth.json"]
[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
[[registry]]
prefix = "example.com"
some-future-key = { nested = [1, 2] }
[[registry.mirror]]
location = "m.example.com"
another-key = 3
)",
                                              kPath);
  ASSERT_EQ(conf.registries.size(), 1u);
  EXPECT_EQ(conf.registries[0].mirrors.size(), 1u);
}

TEST(ParseRegistriesConf, AnEmptyFileHasNoRegistries) {
  EXPECT_TRUE(parse_registries_conf("# nothing\n", kPath).registries.empty());
}

TEST(ParseRegistriesConf, NamesFileAndLineOfMalformedToml) {
  std::string message;
  EXPECT_EQ(
      kind_of([&] { parse_registries_conf("[[registry]]\nprefix = \"a\"\nlocation = \n", kPath); },
              &message),
      ErrorKind::kUsage);
  EXPECT_EQ(message.rfind(std::string(kPath) + ":3: malformed TOML", 0), 0u) << message;
}

TEST(ParseRegistriesConf, RefusesKnownKeysOfTheWrongTypeNamingTheLine) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"[[registry]]\nprefix = \"a.io\"\ninsecure = \"yes\"\n", ":3: 'insecure' must be a boolean"},
      {"[[registry]]\nprefix = 5\n", ":2: 'prefix' must be a string"},
      {"[[registry]]\nprefix = \"a.io\"\n[[registry.mirror]]\nlocation = \"m.io\"\n"
       "pull-from-mirror = \"sometimes\"\n",
       ":5: pull-from-mirror must be"},
      {"[[registry]]\nprefix = \"a.io\"\n[[registry.mirror]]\ninsecure = true\n",
       ":3: [[registry.mirror]] needs a location"},
      {"[[registry]]\ninsecure = true\n", ":1: [[registry]] needs a prefix or location"},
      {"[[registry]]\nprefix = \"*.a.io\"\nlocation = \"b.io\"\n", ":1: a wildcard prefix"},
      {"registry = \"a.io\"\n", ":1: 'registry' must be an array of tables"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    std::string message;
    EXPECT_EQ(kind_of([&] { parse_registries_conf(c.text, "r.conf"); }, &message),
              ErrorKind::kUsage);
    EXPECT_NE(message.find(std::string("r.conf") + c.expected), std::string::npos) << message;
  }
}

TEST(MatchRegistry, TheLongestMatchingPrefixWins) {
  RegistriesConf conf = parse_registries_conf(R"(
[[registry]]
prefix = "example.com"
[[registry]]
prefix = "example.com/team/app"
[[registry]]
prefix = "example.com/team"
[[registry]]
prefix = "*.example.com"
[[registry]]
prefix = "*.b.example.com"
)",
                                              kPath);
  struct Case {
    const char* name;
    const char* prefix;  // nullptr: no match
    std::size_t length;
  };
  const Case cases[] = {
      {"example.com/team/app", "example.com/team/app", 20},
      {"example.com/team/application", "example.com/team", 16},
      {"example.com/other/x", "example.com", 11},
      {"example.com:5000/team/app", nullptr, 0},  // A port makes another host.
      {"a.example.com/x", "*.example.com", 13},
      {"c.b.example.com/x", "*.example.com", 15},  // Same length: the first one listed.
      {"example.org/x", nullptr, 0},
      {"notexample.com/x", nullptr, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::size_t length = 99;
    const RegistryEntry* entry = match_registry(conf, c.name, &length);
    if (c.prefix == nullptr) {
      EXPECT_EQ(entry, nullptr);
      continue;
    }
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->prefix, c.prefix);
    EXPECT_EQ(length, c.length);
  }
}

class FindRegistriesConf : public ::testing::Test {
 public:
  FindRegistriesConf()
      : root_(std::filesystem::temp_directory_path() /
              ("hocker-conf-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(root_ / "xdg" / "containers");
    std::filesystem::create_directories(root_ / "home" / ".config" / "containers");
  }
  ~FindRegistriesConf() override { std::filesystem::remove_all(root_); }

 protected:
  std::string touch(const std::filesystem::path& path) {
    std::ofstream(path) << "\n";
    return path.string();
  }
  Environment environment() const {
    return [this](const char* name) -> std::optional<std::string> {
      auto found = variables.find(name);
      if (found == variables.end()) return std::nullopt;
      return found->second;
    };
  }
  std::filesystem::path root_;
  std::map<std::string, std::string> variables;
};

TEST_F(FindRegistriesConf, PrefersTheVariableThenXdgConfigHome) {
  std::string xdg = touch(root_ / "xdg" / "containers" / "registries.conf");
  std::string chosen = touch(root_ / "chosen.conf");
  variables["XDG_CONFIG_HOME"] = (root_ / "xdg").string();
  EXPECT_EQ(find_registries_conf(environment()), xdg);
  variables["HOCKER_REGISTRIES_CONF"] = chosen;
  EXPECT_EQ(find_registries_conf(environment()), chosen);
  variables["HOCKER_REGISTRIES_CONF"] = "";
  EXPECT_EQ(find_registries_conf(environment()), std::nullopt);
}

TEST_F(FindRegistriesConf, FallsBackToTheHomeConfigFolder) {
  std::string home = touch(root_ / "home" / ".config" / "containers" / "registries.conf");
  variables["HOME"] = (root_ / "home").string();
  EXPECT_EQ(find_registries_conf(environment()), home);
}

TEST_F(FindRegistriesConf, RefusesAVariableNamingNoFile) {
  variables["HOCKER_REGISTRIES_CONF"] = (root_ / "missing.conf").string();
  EXPECT_EQ(kind_of([&] { find_registries_conf(environment()); }), ErrorKind::kUsage);
}

}  // namespace
}  // namespace hocker::mirror
