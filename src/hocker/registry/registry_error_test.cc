#include "hocker/registry/registry_error.h"

#include <gtest/gtest.h>

#include "hocker/base/scrub.h"
#include "hocker/http/transport.h"

namespace hocker::registry {
namespace {

TEST(DescribeErrorBody, JoinsTheRegistrysCodesAndMessages) {
  std::string body =
      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}},)"
      R"({"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]})";
  EXPECT_EQ(describe_error_body(body),
            "MANIFEST_UNKNOWN: manifest unknown; NAME_UNKNOWN: repository name not known to "
            "registry");
}

TEST(DescribeErrorBody, IsEmptyForBodiesThatAreNotRegistryErrors) {
  EXPECT_EQ(describe_error_body(""), "");
  EXPECT_EQ(describe_error_body("<html>502</html>"), "");
  EXPECT_EQ(describe_error_body(R"({"errors":"nope"})"), "");
  EXPECT_EQ(describe_error_body(R"([1,2])"), "");
}

TEST(DescribeErrorBody, BoundsItsLength) {
  std::string body = R"({"errors":[{"code":"X","message":")" + std::string(5000, 'a') + R"("}]})";
  EXPECT_LE(describe_error_body(body).size(), 310u);
}

TEST(DescribeErrorBody, DoesNotParseABodyAsLongAsTheErrorCap) {
  std::string body = R"({"errors":[{"code":"X","message":"m"}]})";
  body += std::string(http::kMaxErrorBody, ' ');
  EXPECT_EQ(describe_error_body(body), "");
}

TEST(DescribeErrorBody, DoesNotParseADeeplyNestedBody) {
  std::string body = R"({"errors":[{"code":"X","message":"m","detail":)" + std::string(1000, '[') +
                     std::string(1000, ']') + "}]}";
  EXPECT_EQ(describe_error_body(body), "");
}

TEST(DescribeErrorBody, StripsEscapeSequencesAndC1Controls) {
  std::string body = R"({"errors":[{"code":"X","message":"a\u001b[2Jb\u009bc\n"}]})";
  EXPECT_EQ(describe_error_body(body), "X: a [2Jb?c ");
}

TEST(DescribeErrorBody, MasksARegisteredSecretTheRegistryEchoes) {
  register_secret("alice:hunter22");
  std::string body = R"({"errors":[{"code":"DENIED","message":"bad Basic YWxpY2U6aHVudGVyMjI="}]})";
  EXPECT_EQ(describe_error_body(body), "DENIED: bad Basic ***");
  clear_secrets();
}

TEST(ErrorForStatus, MapsStatusesToTheSpecsKinds) {
  struct Case {
    long status;
    ErrorKind kind;
    bool transient;
  } cases[] = {
      {401, ErrorKind::kAuth, false},     {403, ErrorKind::kAuth, false},
      {404, ErrorKind::kNotFound, false}, {429, ErrorKind::kNetwork, true},
      {500, ErrorKind::kNetwork, true},   {503, ErrorKind::kNetwork, true},
      {400, ErrorKind::kFormat, false},   {407, ErrorKind::kAuth, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    Error error = error_for_status("GET https://r/v2/x/manifests/1", c.status, "");
    EXPECT_EQ(error.kind(), c.kind);
    EXPECT_EQ(error.is_transient(), c.transient);
  }
}

TEST(ErrorForStatus, NamesWhatFailedAndTheRegistrysCode) {
  Error error =
      error_for_status("GET https://r/v2/x/manifests/v9", 404,
                       R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})");
  EXPECT_STREQ(
      error.what(),
      "GET https://r/v2/x/manifests/v9: 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)");
}

TEST(ErrorForStatus, BlamesAProxyThatWantsCredentialsNotTheRegistry) {
  Error error = error_for_status("GET http://r/v2/x/manifests/v9", 407, "");
  EXPECT_STREQ(error.what(),
               "GET http://r/v2/x/manifests/v9: 407 Proxy Authentication Required: the proxy "
               "refused its credentials; check the user:password in http_proxy or all_proxy");
}

}  // namespace
}  // namespace hocker::registry
