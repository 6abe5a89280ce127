#include "hocker/http/transport.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"
#include "hocker/base/version.h"
#include "hocker/http/test_server.h"

namespace hocker::http {
namespace {

using testing::ServerConnection;
using testing::ServerRequest;
using testing::TestServer;

using hocker::test_support::StringSink;

class ThrowingSink final : public ByteSink {
 public:
  void write(Bytes) override { throw Error(ErrorKind::kLocalIo, "disk full"); }
  void finish() override {}
};

Request get(std::string url) {
  Request request;
  request.url = std::move(url);
  return request;
}

ErrorKind kind_of_failure(Transport& transport, const Request& request, ByteSink* sink = nullptr,
                          std::size_t max_body = 4u << 20, bool* transient = nullptr) {
  try {
    transport.perform(request, sink, max_body);
  } catch (const Error& error) {
    if (transient != nullptr) *transient = error.is_transient();
    return error.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::kInternal;
}

TEST(Transport, StreamsASuccessfulBodyIntoTheSink) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.respond(200, "layer bytes", {{"Docker-Content-Digest", "sha256:x"}});
  });
  Transport transport({});
  StringSink sink;
  Response response = transport.perform(get(server.url("/v2/blob")), &sink);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(sink.text, "layer bytes");
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.headers.get("docker-content-digest"), "sha256:x");
  EXPECT_EQ(response.url, server.url("/v2/blob"));
}

TEST(Transport, CollectsTheBodyWhenNoSinkIsGiven) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(200, "{}"); });
  Transport transport({});
  EXPECT_EQ(transport.perform(get(server.url("/v2/"))).body, "{}");
}

TEST(Transport, CollectsAnErrorBodyInsteadOfStreamingIt) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.respond(404, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})");
  });
  Transport transport({});
  StringSink sink;
  Response response = transport.perform(get(server.url("/v2/blob")), &sink);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(sink.text, "");
  EXPECT_EQ(response.body, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})");
}

TEST(Transport, KeepsNoMoreOfAnErrorBodyThanTheErrorCap) {
  std::string huge(1u << 20, 'x');
  TestServer server([&](const ServerRequest&, ServerConnection& c) { c.respond(500, huge); });
  Transport transport({});
  Response response = transport.perform(get(server.url("/v2/")), nullptr, 4u << 20);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.size(), kMaxErrorBody);
}

TEST(Transport, RefusesEndlessResponseHeaders) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.send("HTTP/1.1 200 OK\r\n");
    std::string header = "X-Padding: " + std::string(1000, 'p') + "\r\n";
    for (int i = 0; i < 1000; ++i) c.send(header);
    c.send("Content-Length: 0\r\n\r\n");
  });
  Transport transport({});
  EXPECT_EQ(kind_of_failure(transport, get(server.url("/v2/"))), ErrorKind::kFormat);
}

TEST(Transport, SendsHeadersAndMethod) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(200, "abc"); });
  Transport transport({});
  Request request = get(server.url("/v2/x"));
  request.method = "HEAD";
  request.headers.push_back({"Accept", "application/vnd.oci.image.index.v1+json"});
  Response response = transport.perform(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.get("Content-Length"), "3");
  ASSERT_EQ(server.requests().size(), 1u);
  ServerRequest seen = server.requests()[0];
  EXPECT_EQ(seen.method, "HEAD");
  EXPECT_EQ(seen.headers.get("accept"), "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(seen.headers.get("User-Agent"), std::string("hocker/") + kVersion);
  EXPECT_FALSE(seen.headers.get("Accept-Encoding").has_value());
}

TEST(Transport, SendsRangeAndAcceptsPartialContent) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(206, "6789"); });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.range_start = 6;
  request.expected_length = 4;
  StringSink sink;
  EXPECT_EQ(transport.perform(request, &sink).status, 206);
  EXPECT_EQ(sink.text, "6789");
  EXPECT_EQ(server.requests()[0].headers.get("Range"), "bytes=6-");
}

TEST(Transport, SkipsTheAlreadyReceivedPrefixWhenTheServerIgnoresRange) {
  TestServer server(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, "0123456789"); });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.range_start = 6;
  request.expected_length = 4;
  StringSink sink;
  EXPECT_EQ(transport.perform(request, &sink).status, 200);
  EXPECT_EQ(sink.text, "6789");
}

TEST(Transport, EndsAPartialOnlyRequestThatTheServerAnswersWhole) {
  TestServer server(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, "0123456789"); });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.range_start = 6;
  request.range_length = 4;
  request.partial_only = true;
  StringSink sink;
  EXPECT_THROW(transport.perform(request, &sink), Error);
  EXPECT_EQ(sink.text, "");
}

TEST(Transport, SendsABoundedRangeAndTakesExactlyItsBytes) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.respond(206, "3456", {{"Content-Range", "bytes 3-6/10"}});
  });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.range_start = 3;
  request.range_length = 4;
  request.expected_length = 7;  // Of the whole remainder, should the server send a 200.
  StringSink sink;
  EXPECT_EQ(transport.perform(request, &sink).status, 206);
  EXPECT_EQ(sink.text, "3456");
  EXPECT_EQ(server.requests()[0].headers.get("Range"), "bytes=3-6");
}

TEST(Transport, ABoundedRangeAnsweredWith200StreamsTheWholeRemainder) {
  TestServer server(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, "0123456789"); });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.range_start = 3;
  request.range_length = 4;
  request.expected_length = 7;
  StringSink sink;
  EXPECT_EQ(transport.perform(request, &sink).status, 200);
  EXPECT_EQ(sink.text, "3456789");
}

TEST(Transport, RefusesAPartialAnswerNamingOtherBytes) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.respond(206, "0123", {{"Content-Range", "bytes 0-3/10"}});
  });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.range_start = 3;
  request.range_length = 4;
  StringSink sink;
  EXPECT_EQ(kind_of_failure(transport, request, &sink), ErrorKind::kIntegrity);
  EXPECT_EQ(sink.text, "");
}

TEST(Transport, RefusesMoreBytesThanTheBoundedRange) {
  TestServer server([](const ServerRequest&, ServerConnection& c) {
    c.send("HTTP/1.1 206 X\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n345678\r\n0\r\n\r\n");
  });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.range_start = 3;
  request.range_length = 4;
  StringSink sink;
  EXPECT_EQ(kind_of_failure(transport, request, &sink), ErrorKind::kIntegrity);
  EXPECT_EQ(sink.text, "");
}

TEST(Transport, RefusesAContentLengthThatDiffersFromTheExpectedLength) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(200, "12345"); });
  Transport transport({});
  Request request = get(server.url("/blob"));
  request.expected_length = 4;
  StringSink sink;
  EXPECT_EQ(kind_of_failure(transport, request, &sink), ErrorKind::kIntegrity);
  EXPECT_EQ(sink.text, "");
}

TEST(Transport, RefusesABodyLargerThanTheLimit) {
  TestServer server(
      [](const ServerRequest&, ServerConnection& c) { c.respond(200, std::string(100, 'x')); });
  Transport transport({});
  EXPECT_EQ(kind_of_failure(transport, get(server.url("/m")), nullptr, 10), ErrorKind::kFormat);
}

TEST(Transport, TruncatesAnOversizedErrorBody) {
  TestServer server(
      [](const ServerRequest&, ServerConnection& c) { c.respond(500, std::string(100, 'x')); });
  Transport transport({});
  Response response = transport.perform(get(server.url("/m")), nullptr, 10);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, std::string(10, 'x'));
}

TEST(Transport, PropagatesTheSinkExceptionUnchanged) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(200, "data"); });
  Transport transport({});
  ThrowingSink sink;
  EXPECT_EQ(kind_of_failure(transport, get(server.url("/blob")), &sink), ErrorKind::kLocalIo);
}

TEST(Transport, ReusesTheConnectionAcrossRequests) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(200, "ok"); });
  Transport transport({});
  transport.perform(get(server.url("/a")));
  transport.perform(get(server.url("/b")));
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.connection_count(), 1);
}

TEST(Transport, PostsABody) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(200, "{}"); });
  Transport transport({});
  Request request = get(server.url("/token"));
  request.method = "POST";
  request.body = "grant_type=refresh_token";
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  transport.perform(request);
  EXPECT_EQ(server.requests()[0].method, "POST");
  EXPECT_EQ(server.requests()[0].body, "grant_type=refresh_token");
}

TEST(Transport, SendsPutAndPatchBodiesWithoutWaitingForContinue) {
  TestServer server([](const ServerRequest&, ServerConnection& c) { c.respond(202, ""); });
  Transport transport({});
  std::string large(3u << 20, 'x');  // Above libcurl's Expect: 100-continue threshold.
  for (const char* method : {"PATCH", "PUT"}) {
    Request request = get(server.url("/upload"));
    request.method = method;
    request.body = large;
    EXPECT_EQ(transport.perform(request).status, 202);
  }
  ASSERT_EQ(server.requests().size(), 2u);
  for (const auto& seen : server.requests()) {
    EXPECT_EQ(seen.body.size(), large.size());
    EXPECT_FALSE(seen.headers.get("Expect").has_value());
  }
  EXPECT_EQ(server.requests()[0].method, "PATCH");
  EXPECT_EQ(server.requests()[1].method, "PUT");
}

}  // namespace
}  // namespace hocker::http
