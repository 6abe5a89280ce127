// Redirects and failures of the transport against a loopback server.
#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/http/test_server.h"
#include "hocker/http/transport.h"

namespace hocker::http {
namespace {

using testing::ServerConnection;
using testing::ServerRequest;
using testing::TestServer;

Request get(std::string url, std::string authorization = "") {
  Request request;
  request.url = std::move(url);
  if (!authorization.empty()) request.headers.push_back({"Authorization", authorization});
  return request;
}

Error failure_of(Transport& transport, const Request& request) {
  try {
    transport.perform(request);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorKind::kInternal, "none");
}

TEST(TransportRedirects, KeepAuthorizationOnTheSameOrigin) {
  TestServer server([](const ServerRequest& r, ServerConnection& c) {
    if (r.target == "/v2/blob") return c.respond(307, "", {{"Location", "/storage/blob"}});
    c.respond(200, "blob");
  });
  Transport transport({});
  Response response = transport.perform(get(server.url("/v2/blob"), "Bearer secret"));
  EXPECT_EQ(response.body, "blob");
  EXPECT_EQ(response.url, server.url("/storage/blob"));
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].headers.get("Authorization"), "Bearer secret");
}

TEST(TransportRedirects, DropAuthorizationForAnotherPort) {
  TestServer cdn([](const ServerRequest&, ServerConnection& c) { c.respond(200, "blob"); });
  std::string cdn_url = cdn.url("/signed?sig=abc");
  TestServer registry([&](const ServerRequest& r, ServerConnection& c) {
    if (r.target == "/v2/blob") return c.respond(302, "", {{"Location", cdn_url}});
    c.respond(200, "again on the registry");
  });
  Transport transport({});
  Response response = transport.perform(get(registry.url("/v2/blob"), "Bearer secret"));
  EXPECT_EQ(response.body, "blob");
  ASSERT_EQ(cdn.requests().size(), 1u);
  EXPECT_EQ(cdn.requests()[0].target, "/signed?sig=abc");
  EXPECT_FALSE(cdn.requests()[0].headers.get("Authorization").has_value());
}

TEST(TransportRedirects, AreReturnedWhenNotFollowed) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.respond(302, "", {{"Location", "/elsewhere"}});
  });
  Transport transport({});
  Response response =
      transport.perform(get(server.url("/a")), nullptr, 1024, Redirects::kDontFollow);
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.get("Location"), "/elsewhere");
}

TEST(TransportRedirects, ALoopIsANonTransientNetworkError) {
  TestServer server([](const ServerRequest& r, ServerConnection& c) {
    c.respond(302, "", {{"Location", r.target == "/a" ? "/b" : "/a"}});
  });
  Transport transport({});
  Error error = failure_of(transport, get(server.url("/a")));
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_FALSE(error.is_transient());
}

TEST(TransportRedirects, MoreThanTenIsANonTransientNetworkError) {
  TestServer server([](const ServerRequest& r, ServerConnection& c) {
    c.respond(302, "", {{"Location", r.target + "x"}});
  });
  Transport transport({});
  Error error = failure_of(transport, get(server.url("/a")));
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_FALSE(error.is_transient());
  EXPECT_EQ(server.requests().size(), 11u);
}

TEST(TransportFailures, AStalledServerIsATransientNetworkError) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
    c.wait_until_stopped();
  });
  TransportOptions options;
  options.stall_timeout_seconds = 1;
  Transport transport(options);
  Error error = failure_of(transport, get(server.url("/blob?sig=secret")));
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
  EXPECT_NE(std::string(error.what()).find("stalled"), std::string::npos) << error.what();
  EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
}

TEST(TransportFailures, AServerThatNeverAnswersIsATransientNetworkError) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.wait_until_stopped(); });
  TransportOptions options;
  options.stall_timeout_seconds = 1;
  Transport transport(options);
  Error error = failure_of(transport, get(server.url("/v2/")));
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
}

TEST(TransportFailures, ATruncatedBodyIsATransientNetworkError) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part");
    c.close_after();
  });
  Transport transport({});
  Error error = failure_of(transport, get(server.url("/blob")));
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
}

TEST(TransportFailures, AReplyThatIsNotHttpIsATransientNetworkError) {
  // Stray bytes on a reused connection look like this: worth a new attempt.
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.send("XXXXXXXXXXXXXXXXXXXXXXXX\r\n\r\n");
    c.close_after();
  });
  Transport transport({});
  Error error = failure_of(transport, get(server.url("/v2/")));
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
  EXPECT_NE(std::string(error.what()).find("the reply is not HTTP"), std::string::npos)
      << error.what();
}

TEST(TransportFailures, ARefusedConnectionIsATransientNetworkError) {
  int port;
  {
    TestServer gone([](const ServerRequest&, ServerConnection&) {});
    port = gone.port();
  }
  Transport transport({});
  Error error = failure_of(
      transport, get("http://user:pw@127.0.0.1:" + std::to_string(port) + "/v2/?token=t"));
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
  std::string message = error.what();
  EXPECT_TRUE(message.starts_with("GET http://127.0.0.1:")) << message;
  EXPECT_EQ(message.find("pw"), std::string::npos) << message;
  EXPECT_EQ(message.find("token=t"), std::string::npos) << message;
}

TEST(TransportFailures, RefusesHeaderValuesWithLineBreaks) {
  Transport transport({});
  Request request = get("http://127.0.0.1:1/", "Bearer a\r\nX-Injected: 1");
  EXPECT_EQ(failure_of(transport, request).kind(), ErrorKind::kInternal);
}

}  // namespace
}  // namespace hocker::http
