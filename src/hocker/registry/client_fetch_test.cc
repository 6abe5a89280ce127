// The registry client's fetches: blobs resumed with Range, manifests verified with the
// algorithm of their pin, and tags paged through Link headers.
#include <gtest/gtest.h>

#include "hocker/base/test_support.h"
#include "hocker/digest/digest.h"
#include "hocker/registry/client.h"
#include "hocker/registry/client_test_support.h"

namespace hocker::registry {
namespace {

using namespace testing;

using hocker::test_support::StringSink;

std::string blob_bytes() {
  std::string bytes(200'000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 % 251);
  return bytes;
}

image::Descriptor descriptor_of(const std::string& bytes) {
  return {.media_type = "application/octet-stream",
          .digest = digest::sha256(bytes),
          .size = static_cast<std::int64_t>(bytes.size()),
          .urls = {},
          .platform = std::nullopt,
          .annotations = {}};
}

TEST(ClientFetch, ResumesABlobCutOffMidwayWithARangeRequest) {
  const std::string blob = blob_bytes();
  const std::size_t cut = blob.size() / 2;
  TestServer server([&](const ServerRequest& request, ServerConnection& connection) {
    std::string range = request.headers.get("Range").value_or("");
    if (range.empty()) {  // Promise the whole blob, send half, hang up.
      connection.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(blob.size()) +
                      "\r\nDocker-Distribution-API-Version: registry/2.0\r\n\r\n");
      connection.send(std::string_view(blob).substr(0, cut));
      return connection.close_after();
    }
    std::size_t start = std::stoul(range.substr(std::string_view("bytes=").size()));
    connection.respond(206, std::string_view(blob).substr(start),
                       {{"Content-Range", "bytes " + std::to_string(start) + "-" +
                                              std::to_string(blob.size() - 1) + "/" +
                                              std::to_string(blob.size())}});
  });
  std::vector<RetryNotice> notices;
  ClientOptions options = fast_options();
  options.on_retry = [&](const RetryNotice& notice) { notices.push_back(notice); };
  auto client = client_for(server, {}, options);
  StringSink sink;
  client->fetch_blob("team/app", descriptor_of(blob), sink);
  EXPECT_TRUE(sink.text == blob) << "the sink saw " << sink.text.size() << " bytes";
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_GT(notices[0].resume_offset, 0);
  EXPECT_LE(notices[0].resume_offset, static_cast<std::int64_t>(cut));
  EXPECT_EQ(requests[1].headers.get("Range"),
            "bytes=" + std::to_string(notices[0].resume_offset) + "-");
}

std::string sha512_of(std::string_view bytes) {
  digest::Hasher hasher(digest::Algorithm::kSha512);
  hasher.update(bytes);
  return hasher.digest().string();
}

TestServer manifest_server() {
  return TestServer([](const ServerRequest&, ServerConnection& connection) {
    connection.respond(200, kManifest,
                       {{"Content-Type", "application/json"},
                        {"Docker-Content-Digest", digest::sha256(kManifest).string()}});
  });
}

TEST(ClientFetch, VerifiesASha512PinnedManifestWithSha512) {
  TestServer server = manifest_server();
  auto client = client_for(server);
  std::string pin = sha512_of(kManifest);
  FetchedManifest fetched = client->fetch_manifest("team/app", pin);
  EXPECT_EQ(fetched.raw, kManifest);
  EXPECT_EQ(fetched.digest.string(), pin);
  EXPECT_EQ(server.requests().at(0).target, "/v2/team/app/manifests/" + pin);
}

TEST(ClientFetch, RefusesAManifestThatDoesNotHashToItsSha512Pin) {
  TestServer server = manifest_server();
  auto client = client_for(server);
  Error error = error_of([&] { client->fetch_manifest("team/app", sha512_of("other bytes")); });
  EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
  EXPECT_NE(std::string(error.what()).find("got " + sha512_of(kManifest)), std::string::npos)
      << error.what();
}

TEST(ClientFetch, HashesAManifestAskedByTagWithSha256) {
  TestServer server = manifest_server();
  auto client = client_for(server);
  EXPECT_EQ(client->fetch_manifest("team/app", "v1").digest, digest::sha256(kManifest));
}

TEST(ClientFetch, DigestOfASha512PinIgnoresASha256HeaderAndHashesTheManifest) {
  TestServer server = manifest_server();
  auto client = client_for(server);
  std::string pin = sha512_of(kManifest);
  EXPECT_EQ(client->fetch_manifest_digest("team/app", pin).string(), pin);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "HEAD");
  EXPECT_EQ(requests[1].method, "GET");
}

TEST(ClientTags, FollowsLinkPaginationToTheLastPage) {
  TestServer server([](const ServerRequest& request, ServerConnection& connection) {
    if (request.target.find("last=b") == std::string::npos) {
      return connection.respond(200, R"({"name":"team/app","tags":["a","b"]})",
                                {{"Link", R"(</v2/team/app/tags/list?n=2&last=b>; rel="next")"}});
    }
    connection.respond(200, R"({"name":"team/app","tags":["c"]})");
  });
  auto client = client_for(server);
  EXPECT_EQ(client->list_tags("team/app"), (std::vector<std::string>{"a", "b", "c"}));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target, "/v2/team/app/tags/list");
  EXPECT_EQ(requests[1].target, "/v2/team/app/tags/list?n=2&last=b");
}

TEST(ClientTags, RefusesANextPageOnAnotherHost) {
  TestServer server([](const ServerRequest&, ServerConnection& connection) {
    connection.respond(
        200, R"({"tags":["a"]})",
        {{"Link", R"(<http://127.0.0.2:1/v2/team/app/tags/list?last=a>; rel="next")"}});
  });
  auto client = client_for(server);
  Error error = error_of([&] { client->list_tags("team/app"); });
  EXPECT_EQ(error.kind(), ErrorKind::kFormat);
  EXPECT_EQ(server.requests().size(), 1u);
}

}  // namespace
}  // namespace hocker::registry
