#include "hocker/pull/sources.h"

#include <gtest/gtest.h>

#include "hocker/blob/sinks.h"
#include "hocker/pull/image_pull.h"
#include "hocker/pull/test_registry.h"

namespace hocker::pull {
namespace {

using mirror::PullFromMirror;
using testing::blob_content;
using testing::kind_of;
using testing::ScratchCache;
using testing::TestRegistry;

constexpr const char* kNs = "?ns=docker.io";
constexpr const char* kManifestType = "application/vnd.docker.distribution.manifest.v2+json";

/// A client for `registry`'s server as a mirror: the ns query on every request, no retries.
std::unique_ptr<registry::Client> mirror_client(const ref::Registry& registry) {
  registry::ClientOptions options;
  options.plain_http = true;
  options.retry.attempts = 1;
  options.query = "ns=docker.io";
  return std::make_unique<registry::Client>(
      registry, std::make_shared<auth::Authenticator>(auth::Credentials{}, registry.domain),
      std::move(options));
}

/// The primary and mirrors of one test, with the warnings they gave.
struct MirrorSetup {
  TestRegistry primary;
  TestRegistry mirror;
  std::vector<std::string> warnings;
  std::unique_ptr<Sources> sources;

  explicit MirrorSetup(PullFromMirror mode, bool pulled_by_tag = true,
                       const std::optional<ref::Registry>& mirror_at = std::nullopt) {
    std::vector<Mirror> mirrors;
    mirrors.push_back(
        {mirror_client(mirror_at.value_or(mirror.client().registry())), "hub/team/app", mode});
    registry::ClientOptions options;
    options.plain_http = true;
    options.retry.attempts = 1;
    auto client = std::make_unique<registry::Client>(
        primary.client().registry(),
        std::make_shared<auth::Authenticator>(auth::Credentials{}, "primary"), options);
    sources = std::make_unique<Sources>(std::move(client), testing::kRepository, std::move(mirrors),
                                        pulled_by_tag,
                                        [this](const std::string& m) { warnings.push_back(m); });
  }
  /// Serves `content` at the mirror as `blob` (wrong bytes when they do not match it).
  void mirror_blob(const image::Descriptor& blob, const std::string& content) {
    mirror.put("/v2/hub/team/app/blobs/" + blob.digest.string() + kNs, content,
               "application/octet-stream");
  }
  std::string pull(const image::Descriptor& blob, cache::BlobCache* cache = nullptr) const {
    blob::StringSink sink;
    sources->fetch_blob(blob, sink, cache);
    return sink.data();
  }
};

TEST(Sources, TakesBlobsFromTheMirrorWithTheNsParameter) {
  MirrorSetup setup(PullFromMirror::kDigestOnly);
  std::string content = blob_content(1, 70'000);
  image::Descriptor blob = setup.primary.add_blob(content);
  setup.mirror_blob(blob, content);
  EXPECT_EQ(setup.pull(blob), content);
  EXPECT_TRUE(setup.primary.targets().empty());
  EXPECT_EQ(setup.mirror.targets(),
            std::vector<std::string>{"/v2/hub/team/app/blobs/" + blob.digest.string() + kNs});
  SourceCounts counts = setup.sources->counts();
  EXPECT_EQ(counts.mirror_blobs, 1);
  EXPECT_EQ(counts.mirror_bytes, 70'000);
  EXPECT_EQ(counts.primary_blobs, 0);
  EXPECT_TRUE(setup.warnings.empty());
}

TEST(Sources, RefusesWrongBytesFromAMirrorBeforeAnyGoesOnAndWarnsOnce) {
  MirrorSetup setup(PullFromMirror::kDigestOnly);
  std::string first = blob_content(2, 40'000);
  std::string second = blob_content(3, 40'000);
  image::Descriptor first_blob = setup.primary.add_blob(first);
  image::Descriptor second_blob = setup.primary.add_blob(second);
  setup.mirror_blob(first_blob, blob_content(4, 40'000));
  setup.mirror_blob(second_blob, blob_content(5, 40'000));
  EXPECT_EQ(setup.pull(first_blob), first);  // Exactly the right bytes, nothing before them.
  EXPECT_EQ(setup.pull(second_blob), second);
  ASSERT_EQ(setup.warnings.size(), 1u);
  EXPECT_NE(setup.warnings[0].find("digest mismatch"), std::string::npos) << setup.warnings[0];
  SourceCounts counts = setup.sources->counts();
  EXPECT_EQ(counts.mirror_misses, 2);
  EXPECT_EQ(counts.primary_blobs, 2);
  EXPECT_EQ(setup.mirror.targets().size(), 2u);  // Wrong bytes do not mean the mirror is down.
}

TEST(Sources, KeepsNoWrongBytesOfAMirrorInTheCache) {
  MirrorSetup setup(PullFromMirror::kDigestOnly);
  ScratchCache cache;
  std::string content = blob_content(6, 30'000);
  image::Descriptor blob = setup.primary.add_blob(content);
  setup.mirror_blob(blob, blob_content(7, 30'000));
  EXPECT_EQ(setup.pull(blob, cache.get()), content);
  EXPECT_TRUE((*cache).find(blob.digest).has_value());
  EXPECT_EQ(setup.sources->counts().primary_blobs, 1);
}

TEST(Sources, GivesUpOnAMirrorThatIsDownAfterOneWarning) {
  // Port 1 on loopback: nobody listens, the connection is refused.
  MirrorSetup setup(PullFromMirror::kDigestOnly, true, ref::Registry{"127.0.0.1:1", "http"});
  std::string first = blob_content(8, 1000);
  std::string second = blob_content(9, 1000);
  image::Descriptor first_blob = setup.primary.add_blob(first);
  image::Descriptor second_blob = setup.primary.add_blob(second);
  EXPECT_EQ(setup.pull(first_blob), first);
  EXPECT_EQ(setup.pull(second_blob), second);
  EXPECT_EQ(setup.warnings.size(), 1u);
  EXPECT_EQ(setup.sources->counts().mirror_misses, 1);  // The second blob did not ask it.
}

TEST(Sources, FetchesABlobTheMirrorLacksFromThePrimary) {
  MirrorSetup setup(PullFromMirror::kAll);
  std::string content = blob_content(10, 500);
  image::Descriptor blob = setup.primary.add_blob(content);
  EXPECT_EQ(setup.pull(blob), content);
  EXPECT_EQ(setup.sources->counts().mirror_misses, 1);
  EXPECT_EQ(setup.warnings.size(), 1u);
}

/// A manifest document (any bytes do: Sources does not parse them) at the primary under
/// `tag` and at the mirror under its digest; returns its digest.
std::string serve_manifest(MirrorSetup& setup, const std::string& tag, const std::string& raw) {
  std::string digest = digest::sha256(raw).string();
  setup.primary.add_manifest(tag, raw, kManifestType);
  setup.primary.add_manifest(digest, raw, kManifestType);
  setup.mirror.put("/v2/hub/team/app/manifests/" + digest + kNs, raw, kManifestType);
  return digest;
}

TEST(Sources, DigestOnlyResolvesATagAtThePrimaryAndTheManifestAtTheMirror) {
  MirrorSetup setup(PullFromMirror::kDigestOnly);
  std::string raw = R"({"schemaVersion":2})";
  std::string digest = serve_manifest(setup, "v1", raw);
  setup.mirror.put("/v2/hub/team/app/manifests/v1" + std::string(kNs), "stale", kManifestType);
  registry::FetchedManifest fetched = setup.sources->fetch_manifest("v1");
  EXPECT_EQ(fetched.raw, raw);
  EXPECT_EQ(setup.primary.targets().front(), "/v2/team/app/manifests/v1");
  EXPECT_EQ(setup.mirror.targets(),
            std::vector<std::string>{"/v2/hub/team/app/manifests/" + digest + kNs});
}

TEST(Sources, AllModeTakesTagsFromTheMirror) {
  MirrorSetup setup(PullFromMirror::kAll);
  std::string raw = R"({"schemaVersion":2,"m":1})";
  serve_manifest(setup, "v1", raw);
  setup.mirror.put("/v2/hub/team/app/manifests/v1" + std::string(kNs), raw, kManifestType);
  EXPECT_EQ(setup.sources->fetch_manifest("v1").raw, raw);
  EXPECT_TRUE(setup.primary.targets().empty());
}

TEST(Sources, TagOnlyMirrorsSitOutAPullByDigest) {
  MirrorSetup setup(PullFromMirror::kTagOnly, /*pulled_by_tag=*/false);
  std::string raw = R"({"schemaVersion":2,"m":2})";
  std::string digest = serve_manifest(setup, "v1", raw);
  std::string content = blob_content(11, 100);
  image::Descriptor blob = setup.primary.add_blob(content);
  setup.mirror_blob(blob, content);
  EXPECT_EQ(setup.sources->fetch_manifest(digest).raw, raw);
  EXPECT_EQ(setup.pull(blob), content);
  EXPECT_TRUE(setup.mirror.targets().empty());
}

TEST(Sources, RefusesAManifestOfTheWrongDigestFromAMirror) {
  MirrorSetup setup(PullFromMirror::kDigestOnly);
  std::string raw = R"({"schemaVersion":2,"m":3})";
  std::string digest = serve_manifest(setup, "v1", raw);
  setup.mirror.put("/v2/hub/team/app/manifests/" + digest + kNs, "forged", kManifestType);
  EXPECT_EQ(setup.sources->fetch_manifest(digest).raw, raw);
  ASSERT_EQ(setup.warnings.size(), 1u);
  EXPECT_NE(setup.warnings[0].find("digest mismatch"), std::string::npos);
}

TEST(Sources, ServeAnImagePullItsManifestConfigAndLayersFromTheMirror) {
  MirrorSetup setup(PullFromMirror::kDigestOnly);
  std::string config = R"({"os":"linux","architecture":"amd64","rootfs":{"type":"layers"}})";
  std::string layer = blob_content(12, 2000);
  image::Descriptor config_blob = setup.primary.add_blob(config);
  image::Descriptor layer_blob = setup.primary.add_blob(layer);
  setup.mirror_blob(config_blob, config);
  setup.mirror_blob(layer_blob, layer);
  std::string raw = R"({"schemaVersion":2,"mediaType":")" + std::string(kManifestType) +
                    R"(","config":{"mediaType":"application/vnd.docker.container.image.v1+json",)" +
                    R"("digest":")" + config_blob.digest.string() + R"(","size":)" +
                    std::to_string(config.size()) + R"(},"layers":[{"mediaType":)" +
                    R"("application/vnd.docker.image.rootfs.diff.tar.gzip","digest":")" +
                    layer_blob.digest.string() + R"(","size":2000}]})";
  serve_manifest(setup, "v1", raw);
  ImagePull pull(*setup.sources, setup.primary.reference("v1"), std::nullopt);
  EXPECT_EQ(pull.resolved().manifest.raw, raw);
  EXPECT_EQ(pull.fetch_config(nullptr).raw(), config);
  blob::StringSink sink;
  pull.fetch_blob(pull.manifest().layers()[0], sink, nullptr, ForeignLayers::kRefuse);
  EXPECT_EQ(sink.data(), layer);
  SourceCounts counts = setup.sources->counts();
  EXPECT_EQ(counts.mirror_blobs, 2);
  EXPECT_EQ(counts.primary_blobs, 0);
  for (const std::string& target : setup.primary.targets()) {
    EXPECT_EQ(target, "/v2/team/app/manifests/v1");  // The tag only: HEAD, then GET.
  }
}

TEST(Sources, RethrowsThePrimarysFailure) {
  MirrorSetup setup(PullFromMirror::kDigestOnly);
  image::Descriptor missing{"", digest::sha256("absent"), 6, {}, {}, {}};
  EXPECT_EQ(kind_of([&] { setup.pull(missing); }), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace hocker::pull
