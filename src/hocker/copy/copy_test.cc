// copy_image from the pull tests' registry (the source) into the upload tests' registry (the
// target): blobs first, the manifest last and byte for byte, present blobs skipped.
#include "hocker/copy/copy.h"

#include <gtest/gtest.h>

#include "hocker/pull/test_registry.h"
#include "hocker/registry/client_test_support.h"
#include "hocker/registry/upload_test_support.h"

namespace hocker::copy {
namespace {

using pull::testing::TestRegistry;
using registry::testing::UploadRegistry;

constexpr const char* kManifestType = "application/vnd.docker.distribution.manifest.v2+json";

std::string descriptor_json(const std::string& media_type, const std::string& content) {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + digest::sha256(content).string() +
         R"(","size":)" + std::to_string(content.size()) + "}";
}

// Serves a manifest of config + two layers under tag v1; returns its bytes.
std::string add_image(TestRegistry& source, const std::vector<std::string>& blobs) {
  std::string manifest =
      R"({"schemaVersion":2,"mediaType":")" + std::string(kManifestType) + R"(","config":)" +
      descriptor_json("application/vnd.docker.container.image.v1+json", blobs[0]) +
      R"(,"layers":[)";
  for (std::size_t i = 1; i < blobs.size(); ++i) {
    manifest += (i > 1 ? "," : "") +
                descriptor_json("application/vnd.docker.image.rootfs.diff.tar.gzip", blobs[i]);
  }
  manifest += "]}";
  for (const std::string& blob : blobs) source.add_blob(blob);
  source.add_manifest("v1", manifest, kManifestType);
  return manifest;
}

struct Copy {
  TestRegistry source;
  UploadRegistry target;
  std::unique_ptr<registry::Client> target_client = registry::testing::client_for(target.server());
  std::vector<std::string> blobs{R"({"rootfs":{"type":"layers","diff_ids":[]}})",
                                 pull::testing::blob_content(1, 5000),
                                 pull::testing::blob_content(2, 7000)};

  CopyResult run(const std::string& target_reference = "team/copy:v2") {
    ref::Reference from = ref::Reference::parse("127.0.0.1:1/team/app:v1");
    ref::Reference to = ref::Reference::parse("127.0.0.1:2/" + target_reference);
    CopyOptions options;
    options.jobs = 2;
    return copy_image(source.client(), from, *target_client, to, options);
  }
};

TEST(CopyImage, UploadsEveryBlobThenPutsTheManifestByteForByte) {
  Copy copy;
  std::string manifest = add_image(copy.source, copy.blobs);
  CopyResult result = copy.run();
  EXPECT_EQ(result.digest, digest::sha256(manifest));
  EXPECT_EQ(result.blobs_uploaded, 3u);
  for (const std::string& blob : copy.blobs) {
    EXPECT_EQ(copy.target.blob("team/copy", digest::sha256(blob)), blob);
  }
  EXPECT_EQ(copy.target.manifest("team/copy", "v2"), manifest);
  auto requests = copy.target.server().requests();
  EXPECT_EQ(requests.back().target, "/v2/team/copy/manifests/v2");
}

TEST(CopyImage, SkipsTheBlobsTheTargetHasAlready) {
  Copy copy;
  add_image(copy.source, copy.blobs);
  for (const std::string& blob : copy.blobs) copy.target.add_blob("team/copy", blob);
  CopyResult result = copy.run();
  EXPECT_EQ(result.blobs_present, 3u);
  for (const auto& request : copy.target.server().requests()) {
    EXPECT_TRUE(request.method == "HEAD" || request.target == "/v2/team/copy/manifests/v2")
        << request.method << " " << request.target;
  }
}

TEST(CopyImage, PutsNoManifestWhenABlobDoesNotMatchItsDigest) {
  Copy copy;
  add_image(copy.source, copy.blobs);
  copy.source.put("/v2/team/app/blobs/" + digest::sha256(copy.blobs[2]).string(),
                  pull::testing::blob_content(3, 7000), "application/octet-stream");
  Error error = registry::testing::error_of([&] { copy.run(); });
  EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
  EXPECT_FALSE(copy.target.manifest("team/copy", "v2"));
  EXPECT_FALSE(copy.target.blob("team/copy", digest::sha256(copy.blobs[2])));
  // The upload was cut before its body was whole: the target never received the closing PUT.
  std::string bad = "digest=" + digest::sha256(copy.blobs[2]).string();
  for (const auto& request : copy.target.server().requests()) {
    EXPECT_FALSE(request.method == "PUT" && request.target.find(bad) != std::string::npos);
  }
}

TEST(CopyImage, StreamsEachBlobAsOnePutOfKnownLength) {
  Copy copy;
  add_image(copy.source, copy.blobs);
  copy.run();
  std::size_t puts = 0;
  for (const auto& request : copy.target.server().requests()) {
    EXPECT_NE(request.method, "PATCH");
    if (request.method == "PUT" && request.target.starts_with("/upload/")) {
      ++puts;
      std::string named = request.target.substr(request.target.find("digest=") + 7);
      EXPECT_EQ(digest::sha256(request.body).string(), named);
    }
  }
  EXPECT_EQ(puts, copy.blobs.size());
}

TEST(CopyImage, RefusesADestinationDigestThatIsNotTheManifests) {
  Copy copy;
  add_image(copy.source, copy.blobs);
  Error error =
      registry::testing::error_of([&] { copy.run("team/copy@" + digest::sha256("x").string()); });
  EXPECT_EQ(error.kind(), ErrorKind::kUsage);
  EXPECT_TRUE(copy.target.server().requests().empty());
}

}  // namespace
}  // namespace hocker::copy
