#include "hocker/auth/credentials.h"

#include <gtest/gtest.h>

#include "hocker/auth/test_support.h"
#include "hocker/base/error.h"

namespace hocker::auth {
namespace {

using testing::ScopedEnvironment;
using testing::ScratchDirectory;
using Kind = Credentials::Kind;

TEST(ReadCredentialsFile, ReadsUsernameAndPassword) {
  ScratchDirectory directory;
  std::string path = directory.write("creds", "\n  USERNAME=alice  \r\nPASSWORD = s3cr=t\n\n");
  Credentials credentials = read_credentials_file(path);
  EXPECT_EQ(credentials.kind, Kind::kBasic);
  EXPECT_EQ(credentials.username, "alice");
  EXPECT_EQ(credentials.secret.reveal(), "s3cr=t");
  EXPECT_EQ(credentials.source, path);
}

TEST(ReadCredentialsFile, ReadsABearerToken) {
  ScratchDirectory directory;
  Credentials credentials = read_credentials_file(directory.write("creds", "BEARER_TOKEN=tok"));
  EXPECT_EQ(credentials.kind, Kind::kBearerToken);
  EXPECT_EQ(credentials.secret.reveal(), "tok");
}

TEST(ReadCredentialsFile, RefusesMalformedFilesWithoutQuotingThem) {
  ScratchDirectory directory;
  const char* contents[] = {
      "",
      "USERNAME=alice\n",
      "PASSWORD=hunter2\n",
      "USERNAME=alice\nPASSWORD=hunter2\nBEARER_TOKEN=tok\n",
      "USERNAME=alice\nPASSWORD=\n",
      "hunter2\n",
      "USERNAME=alice\nPASSWD=hunter2\n",
      "USERNAME=alice\nUSERNAME=bob\nPASSWORD=hunter2\n",
      "\x7f\x45\x4c\x46\x02\x01hunter2\0\0",
  };
  for (const char* content : contents) {
    SCOPED_TRACE(content);
    std::string path = directory.write("creds", content);
    try {
      read_credentials_file(path);
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kUsage);
      std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    }
  }
}

TEST(ReadCredentialsFile, RefusesAMissingFile) {
  try {
    read_credentials_file("/nonexistent/creds");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(error.what()).find("/nonexistent/creds"), std::string::npos);
  }
}

TEST(EnvironmentCredentials, ReadsUserAndPassword) {
  ScopedEnvironment user("DOCKER_USER", "bob"), pass("DOCKER_PASS", "pw"),
      token("DOCKER_TOKEN", std::nullopt);
  auto credentials = environment_credentials();
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->kind, Kind::kBasic);
  EXPECT_EQ(credentials->username, "bob");
  EXPECT_EQ(credentials->secret.reveal(), "pw");
  EXPECT_EQ(credentials->source, "DOCKER_USER");
}

TEST(EnvironmentCredentials, ReadsAToken) {
  ScopedEnvironment user("DOCKER_USER", std::nullopt), pass("DOCKER_PASS", std::nullopt),
      token("DOCKER_TOKEN", "tok");
  auto credentials = environment_credentials();
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->kind, Kind::kBearerToken);
  EXPECT_EQ(credentials->secret.reveal(), "tok");
}

TEST(EnvironmentCredentials, AreAbsentWhenUnset) {
  ScopedEnvironment user("DOCKER_USER", std::nullopt), pass("DOCKER_PASS", ""),
      token("DOCKER_TOKEN", std::nullopt);
  EXPECT_FALSE(environment_credentials().has_value());
}

TEST(EnvironmentCredentials, RefuseAUserWithoutPassword) {
  ScopedEnvironment user("DOCKER_USER", "bob"), pass("DOCKER_PASS", std::nullopt);
  EXPECT_THROW(environment_credentials(), Error);
}

}  // namespace
}  // namespace hocker::auth
