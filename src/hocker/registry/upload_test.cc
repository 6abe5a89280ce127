// The registry's write side against UploadRegistry: sessions, chunks, resume, mounts and
// manifest digests.
#include <gtest/gtest.h>

#include "hocker/registry/blob_upload.h"
#include "hocker/registry/client_test_support.h"
#include "hocker/registry/upload_test_support.h"

namespace hocker::registry {
namespace {

using testing::client_for;
using testing::error_of;
using testing::UploadRegistry;

std::string pattern(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return text;
}

void write_in_pieces(BlobUpload& upload, const std::string& content, std::size_t piece) {
  for (std::size_t at = 0; at < content.size(); at += piece) {
    std::string_view part = std::string_view(content).substr(at, piece);
    upload.write(as_bytes(part.data(), part.size()));
  }
}

std::vector<std::string> methods(UploadRegistry& registry) {
  std::vector<std::string> seen;
  for (const auto& request : registry.server().requests()) seen.push_back(request.method);
  return seen;
}

TEST(BlobUpload, ReassemblesAChunkedUploadInOrder) {
  UploadRegistry registry;
  auto client = client_for(registry.server());
  std::string content = pattern(10'000);
  BlobUpload upload(*client, "team/app", 4096);
  write_in_pieces(upload, content, 1000);
  upload.commit(digest::sha256(content));
  EXPECT_EQ(registry.blob("team/app", digest::sha256(content)), content);
  EXPECT_EQ(methods(registry),
            (std::vector<std::string>{"POST", "PATCH", "PATCH", "PATCH", "PUT"}));
  auto requests = registry.server().requests();
  EXPECT_EQ(requests[1].headers.get("Content-Range"), "0-4095");
  EXPECT_EQ(requests[3].headers.get("Content-Range"), "8192-9999");
}

TEST(BlobUpload, FollowsAbsoluteLocations) {
  UploadRegistry registry;
  registry.absolute_locations = true;
  auto client = client_for(registry.server());
  std::string content = pattern(5000);
  BlobUpload upload(*client, "team/app", 2048);
  write_in_pieces(upload, content, 5000);
  upload.commit(digest::sha256(content));
  EXPECT_EQ(registry.blob("team/app", digest::sha256(content)), content);
}

TEST(BlobUpload, HonoursTheRegistrysMinimumChunkLength) {
  UploadRegistry registry;
  registry.min_chunk = "3000";
  auto client = client_for(registry.server());
  std::string content = pattern(7000);
  BlobUpload upload(*client, "team/app", 1000);
  write_in_pieces(upload, content, 700);
  upload.commit(digest::sha256(content));
  auto requests = registry.server().requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[1].body.size(), 3000u);
  EXPECT_EQ(requests[3].body.size(), 1000u);
}

TEST(BlobUpload, ResumesADroppedPatchFromWhereTheRegistryStands) {
  UploadRegistry registry;
  registry.drop_next_patch = true;
  auto client = client_for(registry.server());
  std::string content = pattern(6000);
  BlobUpload upload(*client, "team/app", 4000);
  write_in_pieces(upload, content, 6000);
  upload.commit(digest::sha256(content));
  EXPECT_EQ(registry.blob("team/app", digest::sha256(content)), content);
  EXPECT_EQ(methods(registry),
            (std::vector<std::string>{"POST", "PATCH", "GET", "PATCH", "PATCH", "PUT"}));
  EXPECT_EQ(registry.server().requests()[3].headers.get("Content-Range"), "2000-3999");
}

TEST(BlobUpload, AsksForARestartWhenTheRegistryLostTheSession) {
  UploadRegistry registry;
  registry.drop_next_patch = true;
  registry.lose_sessions_on_drop = true;
  auto client = client_for(registry.server());
  std::string content = pattern(6000);
  BlobUpload upload(*client, "team/app", 4000);
  Error error = error_of([&] { write_in_pieces(upload, content, 6000); });
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_TRUE(error.is_transient());
  EXPECT_NE(std::string(error.what()).find("start it again"), std::string::npos) << error.what();
}

TEST(BlobUpload, CommitsNothingWhenTheBytesHashOtherwise) {
  UploadRegistry registry;
  auto client = client_for(registry.server());
  BlobUpload upload(*client, "team/app", 4096);
  write_in_pieces(upload, "actual", 6);
  Error error = error_of([&] { upload.commit(digest::sha256("expected")); });
  EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
  EXPECT_EQ(methods(registry).back(), "DELETE");
}

TEST(BlobUpload, RefusesALocationOnAnotherHost) {
  UploadRegistry registry;
  registry.foreign_location = "http://192.0.2.1:9/upload/1";
  auto client = client_for(registry.server());
  Error error = error_of([&] { BlobUpload upload(*client, "team/app"); });
  EXPECT_EQ(error.kind(), ErrorKind::kNetwork);
  EXPECT_EQ(registry.server().requests().size(), 1u);
}

TEST(ClientUpload, PutsASmallBlobMonolithically) {
  UploadRegistry registry;
  auto client = client_for(registry.server());
  client->put_blob("team/app", digest::sha256("config"), "config");
  EXPECT_EQ(registry.blob("team/app", digest::sha256("config")), "config");
  EXPECT_EQ(methods(registry), (std::vector<std::string>{"POST", "PUT"}));
}

TEST(ClientUpload, TurnsARefusedDigestIntoAnIntegrityError) {
  UploadRegistry registry;
  auto client = client_for(registry.server());
  Error error = error_of([&] { client->put_blob("team/app", digest::sha256("other"), "config"); });
  EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
  EXPECT_NE(std::string(error.what()).find("DIGEST_INVALID"), std::string::npos);
}

TEST(ClientUpload, TellsWhetherTheRegistryHasABlob) {
  UploadRegistry registry;
  registry.add_blob("team/app", "layer");
  auto client = client_for(registry.server());
  EXPECT_TRUE(client->has_blob("team/app", digest::sha256("layer")));
  EXPECT_FALSE(client->has_blob("team/app", digest::sha256("other")));
  EXPECT_FALSE(client->has_blob("team/other", digest::sha256("layer")));
}

TEST(ClientUpload, MountsABlobFromAnotherRepository) {
  UploadRegistry registry;
  registry.add_blob("team/source", "layer");
  auto client = client_for(registry.server());
  MountResult result = client->mount_blob("team/app", digest::sha256("layer"), "team/source");
  EXPECT_TRUE(result.mounted);
  EXPECT_FALSE(result.session);
  EXPECT_EQ(registry.blob("team/app", digest::sha256("layer")), "layer");
  EXPECT_EQ(registry.server().requests()[0].target,
            "/v2/team/app/blobs/uploads/?mount=" + digest::sha256("layer").string() +
                "&from=team/source");
}

TEST(ClientUpload, UploadsIntoTheSessionARefusedMountOpens) {
  UploadRegistry registry;
  auto client = client_for(registry.server());
  MountResult result = client->mount_blob("team/app", digest::sha256("layer"), "team/source");
  ASSERT_FALSE(result.mounted);
  ASSERT_TRUE(result.session);
  BlobUpload upload(*client, std::move(*result.session));
  upload.write(as_bytes("layer", 5));
  upload.commit(digest::sha256("layer"));
  EXPECT_EQ(registry.blob("team/app", digest::sha256("layer")), "layer");
  EXPECT_EQ(methods(registry), (std::vector<std::string>{"POST", "PATCH", "PUT"}));
}

TEST(ClientUpload, PutsAManifestAndReturnsItsDigest) {
  UploadRegistry registry;
  auto client = client_for(registry.server());
  std::string raw = R"({"schemaVersion":2})";
  digest::Digest pushed =
      client->put_manifest("team/app", "v1", "application/vnd.oci.image.manifest.v1+json", raw);
  EXPECT_EQ(pushed, digest::sha256(raw));
  EXPECT_EQ(registry.manifest("team/app", "v1"), raw);
  EXPECT_EQ(registry.server().requests()[0].headers.get("Content-Type"),
            "application/vnd.oci.image.manifest.v1+json");
}

TEST(ClientUpload, RefusesAManifestTheRegistryStoredUnderAnotherDigest) {
  UploadRegistry registry;
  registry.manifest_digest_answer = digest::sha256("something else").string();
  auto client = client_for(registry.server());
  Error error = error_of([&] {
    client->put_manifest("team/app", "v1", "application/vnd.oci.image.manifest.v1+json", "{}");
  });
  EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
}

TEST(ClientUpload, RefusesToPutAManifestUnderADigestItDoesNotHave) {
  UploadRegistry registry;
  auto client = client_for(registry.server());
  Error error = error_of([&] {
    client->put_manifest("team/app", digest::sha256("x").string(), "application/json", "{}");
  });
  EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
  EXPECT_TRUE(registry.server().requests().empty());
}

}  // namespace
}  // namespace hocker::registry
