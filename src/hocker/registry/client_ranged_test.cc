// The registry client's ranged fetch of a large blob over several connections: chunk requests,
// out-of-order answers, a chunk retried alone, a server that ignores Range, and redirects.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <limits>

#include "hocker/base/base64.h"
#include "hocker/base/test_support.h"
#include "hocker/digest/digest.h"
#include "hocker/registry/client.h"
#include "hocker/registry/client_test_support.h"

namespace hocker::registry {
namespace {

using namespace testing;

using hocker::test_support::StringSink;

constexpr std::int64_t kChunk = 64 * 1024;

std::string blob_bytes() {
  std::string bytes(10 * kChunk + 123, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 13 % 251);
  return bytes;
}

image::Descriptor descriptor_of(const std::string& bytes) {
  return {.media_type = "application/vnd.oci.image.layer.v1.tar+gzip",
          .digest = digest::sha256(bytes),
          .size = static_cast<std::int64_t>(bytes.size()),
          .urls = {},
          .platform = std::nullopt,
          .annotations = {}};
}

ClientOptions ranged_options(int connections = 4) {
  ClientOptions options = fast_options();
  // Whatever the speed of the first chunk, the rest over several connections.
  options.blob_ranges = {.connections = connections,
                         .chunk_size = kChunk,
                         .parallel_below = std::numeric_limits<std::int64_t>::max()};
  return options;
}

// "bytes=A-B" -> {A, B}; {-1, -1} for no or another Range.
std::pair<std::int64_t, std::int64_t> range_of(const ServerRequest& request) {
  std::string range = request.headers.get("Range").value_or("");
  std::size_t dash = range.find('-');
  if (!range.starts_with("bytes=") || dash == std::string::npos || dash + 1 == range.size()) {
    return {-1, -1};
  }
  return {std::stoll(range.substr(6, dash - 6)), std::stoll(range.substr(dash + 1))};
}

// Answers a bounded Range with a 206 of those bytes.
void serve_range(const std::string& blob, const ServerRequest& request,
                 ServerConnection& connection) {
  auto [first, last] = range_of(request);
  if (first < 0) return connection.respond(200, blob);
  last = std::min<std::int64_t>(last, static_cast<std::int64_t>(blob.size()) - 1);
  connection.respond(
      206, std::string_view(blob).substr(first, last - first + 1),
      {{"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                             std::to_string(blob.size())}});
}

TEST(ClientRangedFetch, FetchesALargeBlobInConsecutiveChunks) {
  const std::string blob = blob_bytes();
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    serve_range(blob, request, connection);
  });
  auto client = client_for(server, {}, ranged_options());
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob) << sink.text.size();
  std::vector<std::string> ranges;
  for (const ServerRequest& request : server.requests()) {
    ranges.push_back(request.headers.get("Range").value_or(""));
  }
  ASSERT_EQ(ranges.size(), 11u);
  EXPECT_EQ(ranges[0], "bytes=0-65535");
  std::sort(ranges.begin(), ranges.end());
  EXPECT_NE(std::find(ranges.begin(), ranges.end(), "bytes=655360-655482"), ranges.end());
}

TEST(ClientRangedFetch, ChunksAnsweredOutOfOrderArriveInOrder) {
  const std::string blob = blob_bytes();
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    // The earlier the chunk, the later its answer (except the first, which probes).
    auto [first, last] = range_of(request);
    if (first > 0 && !connection.pause(static_cast<int>(40 - first / kChunk * 4))) return;
    serve_range(blob, request, connection);
  });
  auto client = client_for(server, {}, ranged_options(6));
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob);
}

TEST(ClientRangedFetch, AChunkCutOffIsResumedAloneWithinItsRange) {
  const std::string blob = blob_bytes();
  std::atomic<bool> cut{false};
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    auto [first, last] = range_of(request);
    if (first == 3 * kChunk && !cut.exchange(true)) {  // Promise the chunk, send 1000 bytes.
      connection.send("HTTP/1.1 206 X\r\nContent-Length: " + std::to_string(kChunk) +
                      "\r\nContent-Range: bytes " + std::to_string(first) + "-" +
                      std::to_string(last) + "/" + std::to_string(blob.size()) + "\r\n\r\n");
      connection.send(std::string_view(blob).substr(first, 1000));
      return connection.close_after();
    }
    serve_range(blob, request, connection);
  });
  auto client = client_for(server, {}, ranged_options());
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob);
  std::vector<std::string> ranges;
  for (const ServerRequest& request : server.requests()) {
    ranges.push_back(request.headers.get("Range").value_or(""));
  }
  EXPECT_EQ(ranges.size(), 12u);
  EXPECT_EQ(std::count(ranges.begin(), ranges.end(), "bytes=196608-262143"), 1);
  EXPECT_EQ(std::count(ranges.begin(), ranges.end(), "bytes=197608-262143"), 1);
}

TEST(ClientRangedFetch, AServerIgnoringRangeIsReadInOneRequest) {
  const std::string blob = blob_bytes();
  TestServer server(
      [&](const ServerRequest&, ServerConnection& connection) { connection.respond(200, blob); });
  auto client = client_for(server, {}, ranged_options());
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(ClientRangedFetch, AChunkOfWrongBytesIsHandedOnAtItsPlaceForTheVerifier) {
  std::string blob = blob_bytes();
  std::string served = blob;
  served[5 * kChunk + 7] ^= 1;
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    serve_range(served, request, connection);
  });
  auto client = client_for(server, {}, ranged_options());
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  // The client moves bytes; the caller's VerifySink then refuses the digest (exit 6).
  EXPECT_TRUE(sink.text == served);
  EXPECT_NE(digest::sha256(sink.text), descriptor_of(blob).digest);
}

TEST(ClientRangedFetch, ChunksFollowTheRedirectWithoutCredentials) {
  const std::string blob = blob_bytes();
  TestServer cdn([&](const ServerRequest& request, ServerConnection& connection) {
    serve_range(blob, request, connection);
  });
  std::string expected = "Basic " + base64_encode("alice:hunter2");
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    if (request.headers.get("Authorization") != expected) {
      return connection.respond(401, "{}", {{"WWW-Authenticate", R"(Basic realm="test")"}});
    }
    connection.respond(
        307, "",
        {{"Location", "http://127.0.0.1:" + std::to_string(cdn.port()) + "/blob?signed=1"}});
  });
  auto client =
      client_for(server, {auth::Credentials::Kind::kBasic, "alice", Secret("hunter2"), "-u"},
                 ranged_options());
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob);
  std::vector<std::string> cdn_authorizations = authorizations(cdn);
  EXPECT_EQ(cdn_authorizations.size(), 11u);
  EXPECT_EQ(std::count(cdn_authorizations.begin(), cdn_authorizations.end(), ""), 11);
  for (const ServerRequest& request : cdn.requests()) {
    EXPECT_GE(range_of(request).first, 0) << request.headers.get("Range").value_or("none");
  }
}

TEST(ClientRangedFetch, AFastFirstChunkLeavesTheRestToOneRequest) {
  const std::string blob = blob_bytes();
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    serve_range(blob, request, connection);
  });
  ClientOptions options = ranged_options();
  options.blob_ranges.parallel_below = 0;
  auto client = client_for(server, {}, options);
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob);
  std::vector<std::string> ranges;
  for (const ServerRequest& request : server.requests()) {
    ranges.push_back(request.headers.get("Range").value_or(""));
  }
  EXPECT_EQ(ranges, (std::vector<std::string>{"bytes=0-65535", "bytes=65536-655482"}));
}

TEST(ClientRangedFetch, OneConnectionMeansOneStream) {
  const std::string blob = blob_bytes();
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    serve_range(blob, request, connection);
  });
  auto client = client_for(server, {}, ranged_options(1));
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_FALSE(server.requests()[0].headers.get("Range"));
}

}  // namespace
}  // namespace hocker::registry
