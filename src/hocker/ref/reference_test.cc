#include "hocker/ref/reference.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"

namespace hocker::ref {
namespace {

const std::string kHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kDigest = "sha256:" + kHex;

TEST(ParseReference, NormalisesGoodReferences) {
  struct Case {
    std::string text, domain, repository, tag, digest;
  } cases[] = {
      {"debian", "docker.io", "library/debian", "latest", ""},
      {"debian:jessie", "docker.io", "library/debian", "jessie", ""},
      {"docker.io/debian", "docker.io", "library/debian", "latest", ""},
      {"index.docker.io/debian", "docker.io", "library/debian", "latest", ""},
      {"docker.io/library/debian:12", "docker.io", "library/debian", "12", ""},
      {"team/api", "docker.io", "team/api", "latest", ""},
      {"ghcr.io/org/app:1.2", "ghcr.io", "org/app", "1.2", ""},
      {"localhost/app", "localhost", "app", "latest", ""},
      {"localhost:5000/team/api:dev", "localhost:5000", "team/api", "dev", ""},
      {"127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", ""},
      {"[::1]:5000/x", "[::1]:5000", "x", "latest", ""},
      {"[2001:db8::1]/x", "[2001:db8::1]", "x", "latest", ""},
      {"registry.example.com/a/b/c:v1-rc.2_x", "registry.example.com", "a/b/c", "v1-rc.2_x", ""},
      {"localhost:5000", "docker.io", "library/localhost", "5000", ""},
      {"Registry.Example.com/x", "Registry.Example.com", "x", "latest", ""},
      {"my-host/x", "docker.io", "my-host/x", "latest", ""},
      {"a__b/c---d/e.f/g_h", "docker.io", "a__b/c---d/e.f/g_h", "latest", ""},
      {"debian@" + kDigest, "docker.io", "library/debian", "", kDigest},
      {"debian:12@" + kDigest, "docker.io", "library/debian", "12", kDigest},
      {"localhost:5000/x@" + kDigest, "localhost:5000", "x", "", kDigest},
      {"x:_tag", "docker.io", "library/x", "_tag", ""},
      {"x:" + std::string(128, 'T'), "docker.io", "library/x", std::string(128, 'T'), ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Reference reference = Reference::parse(c.text);
    EXPECT_EQ(reference.registry.domain, c.domain);
    EXPECT_EQ(reference.registry.scheme, "");
    EXPECT_EQ(reference.repository, c.repository);
    EXPECT_EQ(reference.tag.value_or(""), c.tag);
    EXPECT_EQ(reference.digest ? reference.digest->string() : "", c.digest);
  }
}

TEST(ParseReference, RefusesHostileReferencesWithAOneLineReason) {
  struct Case {
    std::string text, reason;
  } cases[] = {
      {"", "empty reference"},
      {"Foo", "repository name must be lowercase"},
      {"library/Debian", "repository name must be lowercase"},
      {"ghcr.io/Org/app", "repository name must be lowercase"},
      {"a/b@sha256:abc", "invalid digest"},
      {"a/b@sha256:../../etc/passwd", "invalid digest"},
      {"a@md5:d41d8cd98f00b204e9800998ecf8427e", "invalid digest"},
      {"debian@", "invalid digest"},
      {"debian:", "invalid tag"},
      {"debian:-x", "invalid tag"},
      {"debian:.x", "invalid tag"},
      {"debian:a/b", "invalid registry port"},
      {"x:" + std::string(129, 'a'), "invalid tag"},
      {":5000/x", "port but no host"},
      {"localhost:/x", "invalid registry port"},
      {"localhost:99999/x", "invalid registry port"},
      {"localhost:50a0/x", "invalid registry port"},
      {"-host.com/x", "invalid registry host"},
      {"host..com/x", "invalid registry host"},
      {"[::1/x", "invalid registry host"},
      {"[::g]/x", "invalid registry host"},
      {"localhost:5000/", "repository name is empty"},
      {"a//b", "empty path component"},
      {"/a", "empty path component"},
      {"a/", "empty path component"},
      {"a/../b", "invalid repository path component \"..\""},
      {"a/./b", "invalid repository path component \".\""},
      {"ghcr.io/..", "invalid repository path component \"..\""},
      {"a/b.", "invalid repository path component"},
      {"a/_b", "invalid repository path component"},
      {"a/b___c", "invalid repository path component"},
      {"a/b._c", "invalid repository path component"},
      {"a/b c", "invalid repository path component"},
      {"a/b\nc", "invalid repository path component"},
      {"a/" + std::string(250, 'x'), "must not be more than 255 characters"},
      {kHex, "image ID"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      Reference::parse(c.text);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kUsage);
      std::string message = error.what();
      EXPECT_TRUE(message.starts_with("invalid reference \"")) << message;
      EXPECT_NE(message.find(c.reason), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}

TEST(ParseReference, ExplainsUppercaseLikeDocker) {
  try {
    Reference::parse("Foo");
    ADD_FAILURE() << "accepted";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "invalid reference \"Foo\": repository name must be lowercase");
  }
}

TEST(ParseReference, AcceptsANameOfExactly255Characters) {
  // "docker.io/" is 10 characters; the whole name counts, as in Docker.
  std::string path = "a/" + std::string(243, 'x');
  EXPECT_EQ(Reference::parse(path).repository.size(), 245u);
  EXPECT_THROW(Reference::parse(path + "x"), Error);
}

TEST(ParseReference, CutsLongInputInMessages) {
  try {
    Reference::parse(std::string(5000, 'A'));
    ADD_FAILURE() << "accepted";
  } catch (const Error& error) {
    EXPECT_LT(std::string(error.what()).size(), 200u);
  }
}

TEST(ClassicReference, MapsToTheSameReferenceAsTheModernForm) {
  struct Case {
    std::optional<std::string> registry;
    std::string name, tag, modern;
  } cases[] = {
      {std::nullopt, "library/debian", "jessie", "debian:jessie"},
      {std::nullopt, "debian", "jessie", "docker.io/library/debian:jessie"},
      {std::nullopt, "team/api", "1", "team/api:1"},
      {"https://registry-1.docker.io/v2/", "library/debian", "jessie", "debian:jessie"},
      {"https://index.docker.io", "debian", "12", "debian:12"},
      {"localhost:5000", "team/api", "dev", "localhost:5000/team/api:dev"},
      {"[::1]:5000/v2", "x", "1", "[::1]:5000/x:1"},
      {"ghcr.io", "org/app", kDigest, "ghcr.io/org/app@" + kDigest},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.modern);
    std::optional<std::string_view> registry;
    if (c.registry) registry = *c.registry;
    Reference classic = Reference::from_classic(registry, c.name, c.tag);
    Reference modern = Reference::parse(c.modern);
    EXPECT_EQ(classic.registry.domain, modern.registry.domain);
    EXPECT_EQ(classic.repository, modern.repository);
    EXPECT_EQ(classic.tag, modern.tag);
    EXPECT_EQ(classic.digest, modern.digest);
  }
}

TEST(ClassicReference, KeepsTheSchemeOfTheRegistryUri) {
  Reference reference = Reference::from_classic("http://127.0.0.1:5000/v2/", "library/x", "1");
  EXPECT_EQ(reference.registry.scheme, "http");
  EXPECT_EQ(reference.registry.domain, "127.0.0.1:5000");
  EXPECT_EQ(reference.repository, "library/x");
}

TEST(ClassicReference, OneComponentNameGetsLibraryOnlyOnDockerHub) {
  EXPECT_EQ(Reference::from_classic(std::nullopt, "debian", "1").repository, "library/debian");
  EXPECT_EQ(Reference::from_classic("localhost:5000", "debian", "1").repository, "debian");
}

TEST(ClassicReference, EmptyTagMeansNoTag) {
  Reference reference = Reference::from_classic(std::nullopt, "library/debian", "");
  EXPECT_FALSE(reference.tag.has_value());
  EXPECT_FALSE(reference.digest.has_value());
  EXPECT_EQ(reference.identifier(), "");
  EXPECT_EQ(reference.string(), "docker.io/library/debian");
}

TEST(ClassicReference, RefusesBadNamesTagsAndRegistries) {
  struct Case {
    std::optional<std::string> registry;
    std::string name, tag;
  } cases[] = {
      {std::nullopt, "", "1"},
      {std::nullopt, "Library/Debian", "1"},
      {std::nullopt, "library/../etc", "1"},
      {std::nullopt, "library//debian", "1"},
      {std::nullopt, "/debian", "1"},
      {std::nullopt, "localhost:5000/x", "1"},
      {std::nullopt, "debian", "bad tag"},
      {std::nullopt, "debian", "sha256:abc"},
      {"ftp://example.com", "debian", "1"},
      {"https://user:pass@example.com", "debian", "1"},
      {"https://example.com/other/", "debian", "1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + " " + c.tag);
    std::optional<std::string_view> registry;
    if (c.registry) registry = *c.registry;
    try {
      Reference::from_classic(registry, c.name, c.tag);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kUsage);
    }
  }
}

TEST(FormatReference, FamiliarNamesAreWhatDockerPullShows) {
  struct Case {
    std::string text, familiar, full;
  } cases[] = {
      {"debian:jessie", "debian:jessie", "docker.io/library/debian:jessie"},
      {"team/app:1", "team/app:1", "docker.io/team/app:1"},
      {"library/a/b", "library/a/b:latest", "docker.io/library/a/b:latest"},
      {"localhost:5000/team/api:dev", "localhost:5000/team/api:dev", "localhost:5000/team/api:dev"},
      {"debian@" + kDigest, "debian@" + kDigest, "docker.io/library/debian@" + kDigest},
      {"ghcr.io/o/a:1@" + kDigest, "ghcr.io/o/a:1@" + kDigest, "ghcr.io/o/a:1@" + kDigest},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Reference reference = Reference::parse(c.text);
    EXPECT_EQ(reference.familiar(), c.familiar);
    EXPECT_EQ(reference.string(), c.full);
    EXPECT_EQ(Reference::parse(reference.string()), reference);
  }
}

TEST(FormatReference, IdentifierPrefersTheDigest) {
  EXPECT_EQ(Reference::parse("debian:12").identifier(), "12");
  EXPECT_EQ(Reference::parse("debian:12@" + kDigest).identifier(), kDigest);
}

}  // namespace
}  // namespace hocker::ref
