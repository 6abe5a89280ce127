#include "hocker/auth/token_text.h"

#include <gtest/gtest.h>

#include "hocker/base/scrub.h"
#include "hocker/http/transport.h"

namespace hocker::auth {
namespace {

TEST(FormEncode, PercentEncodesEverythingButUnreserved) {
  EXPECT_EQ(form_encode({{"scope", "repository:a/b:pull"}, {"service", "x y&z"}}),
            "scope=repository%3Aa%2Fb%3Apull&service=x%20y%26z");
}

TEST(SplitScopes, SplitsOnSpaces) {
  EXPECT_EQ(split_scopes("repository:a:pull  repository:b:pull"),
            (std::vector<std::string>{"repository:a:pull", "repository:b:pull"}));
  EXPECT_TRUE(split_scopes("").empty());
}

TEST(ServerErrorText, FindsTheMessageOfEachTokenServerDialect) {
  struct Case {
    const char* body;
    const char* expected;
  } cases[] = {
      {R"({"details":"incorrect username or password"})", "incorrect username or password"},
      {R"({"error":"invalid_grant","error_description":"bad token"})", "bad token"},
      {R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
       "authentication required"},
      {R"({"error":"invalid_client"})", "invalid_client"},
      {"{\"details\":\"two\\nlines\"}", "two lines"},
      {"<html>nope</html>", ""},
      {"", ""},
      {"[1,2]", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    EXPECT_EQ(server_error_text(c.body), c.expected);
  }
}

TEST(ServerErrorText, StripsC1ControlsRawAndEncoded) {
  EXPECT_EQ(server_error_text("{\"details\":\"a\\u009b2Jb\\u001bc\"}"), "a?2Jb c");
}

TEST(ServerErrorText, MasksAnEchoedSecret) {
  register_secret("pa55word");  // As a Secret and an Authenticator register them.
  register_secret("bob:pa55word");
  EXPECT_EQ(server_error_text(R"({"details":"bad password pa55word for Ym9iOnBhNTV3b3Jk"})"),
            "bad password *** for ***");
  clear_secrets();
}

TEST(ServerErrorText, DoesNotParseABodyAsLongAsTheErrorCap) {
  std::string body = R"({"details":"x"})" + std::string(http::kMaxErrorBody, ' ');
  EXPECT_EQ(server_error_text(body), "");
}

}  // namespace
}  // namespace hocker::auth
