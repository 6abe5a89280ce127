#include "hocker/http/url.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"

namespace hocker::http {
namespace {

TEST(RedactUrl, DropsUserinfoQueryAndFragment) {
  struct Case {
    const char* url;
    const char* expected;
  } cases[] = {
      {"https://registry.example.com/v2/", "https://registry.example.com/v2/"},
      {"https://user:secret@host:5000/v2/x?sig=abc#frag", "https://host:5000/v2/x"},
      {"https://cdn.example.com/blob?X-Amz-Signature=deadbeef", "https://cdn.example.com/blob"},
      {"https://host?token=1", "https://host"},
      {"http://a@b@host/path", "http://host/path"},
      {"not a url?secret", "not a url"},
      {"", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(redact_url(c.url), c.expected);
  }
}

TEST(OriginOf, LowercasesAndMakesDefaultPortsExplicit) {
  struct Case {
    const char* url;
    const char* expected;
  } cases[] = {
      {"https://Registry.Example.COM/v2/", "https://registry.example.com:443"},
      {"HTTP://host/x", "http://host:80"},
      {"http://host:5000/x?y", "http://host:5000"},
      {"https://user:pw@host:8443", "https://host:8443"},
      {"http://[::1]:5000/v2/", "http://[::1]:5000"},
      {"/relative/path", ""},
      {"", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(origin_of(c.url), c.expected);
  }
}

TEST(ResolveLocation, ResolvesAbsoluteAndRelativeLocations) {
  const char* base = "https://registry.example.com:5000/v2/lib/app/blobs/sha256:ab?x=1";
  struct Case {
    const char* location;
    const char* expected;
  } cases[] = {
      {"https://cdn.example.net/b?sig=1", "https://cdn.example.net/b?sig=1"},
      {"//cdn.example.net/b", "https://cdn.example.net/b"},
      {"/v2/other", "https://registry.example.com:5000/v2/other"},
      {"other", "https://registry.example.com:5000/v2/lib/app/blobs/other"},
      {"../manifests/x", "https://registry.example.com:5000/v2/lib/app/manifests/x"},
      {"?n=2", "https://registry.example.com:5000/v2/lib/app/blobs/sha256:ab?n=2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.location);
    EXPECT_EQ(resolve_location(base, c.location), c.expected);
  }
}

TEST(ResolveLocation, RefusesSchemesOtherThanHttp) {
  for (const char* location : {"file:///etc/passwd", "ftp://host/x", "gopher://host/"}) {
    SCOPED_TRACE(location);
    try {
      resolve_location("https://host/v2/", location);
      FAIL() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
    }
  }
}

TEST(OriginOf, TellsADowngradeToHttpOnTheSameHostAndPortApart) {
  EXPECT_NE(origin_of("https://registry.example.com:8443/v2/"),
            origin_of("http://registry.example.com:8443/v2/"));
}

TEST(IsLoopbackUrl, KnowsTheHostsThatNeverLeaveTheMachine) {
  struct Case {
    const char* url;
    bool loopback;
  } cases[] = {
      {"http://127.0.0.1:5000/token", true},
      {"http://LOCALHOST/token", true},
      {"http://[::1]:80/", true},
      {"https://127.200.3.4/", true},
      {"http://128.0.0.1/", false},
      {"http://localhost.example.com/", false},
      {"http://127.0.0.1.example.com/", false},
      {"http://10.0.0.1/", false},
      {"/token", false},
      {"", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(is_loopback_url(c.url), c.loopback);
  }
}

}  // namespace
}  // namespace hocker::http
