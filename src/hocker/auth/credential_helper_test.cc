// How a credential helper is found: only in absolute PATH entries, never in the current
// directory that an empty or relative PATH entry stands for.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "hocker/auth/credentials.h"
#include "hocker/auth/test_support.h"

namespace hocker::auth {
namespace {

using namespace std::chrono_literals;
using testing::ScopedEnvironment;
using testing::ScratchDirectory;

// A helper that leaves a marker file behind when it runs, and answers with credentials.
std::string marking_helper(const std::string& marker) {
  return "#!/bin/sh\ntouch '" + marker + "'\n" +
         R"(printf '{"ServerURL":"r","Username":"u","Secret":"s"}')" + "\n";
}

// Runs the test body with the current directory changed, restoring it after.
class InDirectory {
 public:
  explicit InDirectory(const std::string& path) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(path);
  }
  ~InDirectory() { std::filesystem::current_path(old_); }

 private:
  std::filesystem::path old_;
};

class CredentialHelperLookup : public ::testing::Test {
 protected:
  std::optional<Credentials> run(const std::string& helper) {
    return run_credential_helper(
        helper, "r", 10s, [this](const std::string& message) { warnings_.push_back(message); });
  }
  ScratchDirectory cwd_, bin_, marks_;
  std::vector<std::string> warnings_;
};

TEST_F(CredentialHelperLookup, NeverRunsAHelperFromTheCurrentDirectory) {
  std::string marker = marks_.path() + "/ran";
  cwd_.write("docker-credential-planted", marking_helper(marker), 0755);
  InDirectory in_cwd(cwd_.path());
  for (std::string path : {":" + bin_.path(), bin_.path() + ":", bin_.path() + "::/usr/bin",
                           ".:" + bin_.path(), "bin:" + bin_.path(), std::string()}) {
    SCOPED_TRACE("PATH=" + path);
    ScopedEnvironment env("PATH", path);
    EXPECT_FALSE(run("planted").has_value());
    EXPECT_FALSE(std::filesystem::exists(marker));
  }
  ASSERT_FALSE(warnings_.empty());
  EXPECT_NE(warnings_[0].find("not found on PATH"), std::string::npos) << warnings_[0];
}

TEST_F(CredentialHelperLookup, RunsAHelperFromAnAbsolutePathEntry) {
  std::string marker = marks_.path() + "/ran";
  bin_.write("docker-credential-real", marking_helper(marker), 0755);
  InDirectory in_cwd(cwd_.path());
  ScopedEnvironment env("PATH", "::" + cwd_.path() + "/missing:" + bin_.path() + ":/usr/bin");
  auto credentials = run("real");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->username, "u");
  EXPECT_TRUE(std::filesystem::exists(marker));
}

TEST_F(CredentialHelperLookup, SkipsAnEntryWhoseHelperIsNotExecutable) {
  std::string marker = marks_.path() + "/ran";
  ScratchDirectory first;
  first.write("docker-credential-two", "not a program\n", 0644);
  bin_.write("docker-credential-two", marking_helper(marker), 0755);
  ScopedEnvironment env("PATH", first.path() + ":" + bin_.path() + ":/usr/bin");
  EXPECT_TRUE(run("two").has_value());
  EXPECT_TRUE(std::filesystem::exists(marker));
}

}  // namespace
}  // namespace hocker::auth
