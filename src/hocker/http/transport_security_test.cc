// What the transport refuses to do for a hostile or slow server: carry a request body to
// another origin, or be held forever by an answer dripping in byte by byte.
#include <gtest/gtest.h>

#include <chrono>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"
#include "hocker/http/test_server.h"
#include "hocker/http/transport.h"

namespace hocker::http {
namespace {

using testing::ServerConnection;
using testing::ServerRequest;
using testing::TestServer;
using Clock = std::chrono::steady_clock;

using hocker::test_support::StringSink;

Request post(std::string url, std::string body) {
  Request request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  request.body = std::move(body);
  return request;
}

Request get(std::string url) {
  Request request;
  request.url = std::move(url);
  return request;
}

Error failure_of(Transport& transport, const Request& request, ByteSink* sink = nullptr) {
  try {
    transport.perform(request, sink);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorKind::kInternal, "none");
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Sends `head`, then `count` bytes of body one every `interval_ms`.
void drip(ServerConnection& c, const std::string& head, int count, int interval_ms) {
  c.send(head);
  for (int i = 0; i < count && c.pause(interval_ms); ++i) c.send("x");
}

TEST(TransportRedirectsWithABody, AreNotFollowedToAnotherOrigin) {
  for (int status : {307, 308}) {
    SCOPED_TRACE(status);
    TestServer elsewhere([](const ServerRequest&, ServerConnection& c) { c.respond(200, "{}"); });
    std::string target = elsewhere.url("/token");
    TestServer realm([&](const ServerRequest&, ServerConnection& c) {
      c.respond(status, "", {{"Location", target}});
    });
    Transport transport({});
    Error error = failure_of(transport, post(realm.url("/token"), "refresh_token=secret"));
    EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
    EXPECT_FALSE(error.is_transient());
    std::string message = error.what();
    EXPECT_NE(message.find("another origin"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    EXPECT_TRUE(elsewhere.requests().empty());
  }
}

TEST(TransportRedirectsWithABody, AreFollowedOnTheSameOrigin) {
  TestServer realm([](const ServerRequest& r, ServerConnection& c) {
    if (r.target == "/token") return c.respond(307, "", {{"Location", "/v2/token"}});
    c.respond(200, r.body);
  });
  Transport transport({});
  Response response = transport.perform(post(realm.url("/token"), "grant_type=refresh_token"));
  EXPECT_EQ(response.body, "grant_type=refresh_token");
}

TEST(TransportAnswerDeadline, EndsADocumentDrippingInByteByByte) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    drip(c, "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n", 30, 500);
  });
  TransportOptions options;
  options.answer_timeout_seconds = 2;
  Transport transport(options);
  Clock::time_point start = Clock::now();
  Error error = failure_of(transport, get(server.url("/v2/app/manifests/v1")));
  EXPECT_LT(seconds_since(start), 6);
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
  EXPECT_NE(std::string(error.what()).find("not complete within 2 s"), std::string::npos)
      << error.what();
}

TEST(TransportAnswerDeadline, EndsHeadersDrippingInEvenForABlob) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.send("HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 30 && c.pause(500); ++i) c.send("X-Drip: x\r\n");
  });
  TransportOptions options;
  options.answer_timeout_seconds = 2;
  Transport transport(options);
  StringSink sink;
  Clock::time_point start = Clock::now();
  Error error = failure_of(transport, get(server.url("/v2/app/blobs/sha256:ab")), &sink);
  EXPECT_LT(seconds_since(start), 6);
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
}

TEST(TransportAnswerDeadline, DoesNotBoundABlobBodyStreamingIntoASink) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    drip(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", 4, 700);
  });
  TransportOptions options;
  options.answer_timeout_seconds = 1;
  Transport transport(options);
  StringSink sink;
  Response response = transport.perform(get(server.url("/v2/app/blobs/sha256:ab")), &sink);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(sink.text, "xxxx");
}

TEST(TransportAnswerDeadline, BoundsAStreamingBodyWhenAskedTo) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    drip(c, "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n", 30, 500);
  });
  TransportOptions options;
  options.answer_timeout_seconds = 2;
  Transport transport(options);
  Request request = get(server.url("/v2/app/blobs/sha256:config"));
  request.answer_deadline = AnswerDeadline::kAlways;
  StringSink sink;
  Clock::time_point start = Clock::now();
  Error error = failure_of(transport, request, &sink);
  EXPECT_LT(seconds_since(start), 6);
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_NE(std::string(error.what()).find("not complete within 2 s"), std::string::npos)
      << error.what();
}

TEST(TransportAnswerDeadline, GrowsWithTheBytesALargeDocumentDelivers) {
  std::string half(1u << 20, 'x');
  TestServer server([&](const ServerRequest&, ServerConnection& c) {
    c.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(2 * half.size()) + "\r\n\r\n");
    c.send(half);
    if (c.pause(1500)) c.send(half);
  });
  TransportOptions options;
  options.answer_timeout_seconds = 1;
  Transport transport(options);
  Response response = transport.perform(get(server.url("/v2/app/blobs/sha256:config")));
  EXPECT_EQ(response.body.size(), 2 * half.size());
}

}  // namespace
}  // namespace hocker::http
