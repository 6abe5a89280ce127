#include "hocker/lock/resolve.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "hocker/pull/test_registry.h"

namespace hocker::lock {
namespace {

using pull::testing::kind_of;
using pull::testing::TestRegistry;

constexpr const char* kManifestType = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kIndexType = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr const char* kLayerType = "application/vnd.docker.image.rootfs.diff.tar.gzip";

std::string descriptor_json(const std::string& media_type, const image::Descriptor& blob,
                            const std::string& extra = "") {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + blob.digest.string() +
         R"(","size":)" + std::to_string(blob.size) + extra + "}";
}

// The layers are served as blobs (so that a test can tell they are never asked for); the config
// names `diff_ids` of them (the first `diff_ids` layers' digests stand in for uncompressed ones).
struct Served {
  std::string manifest;
  image::Descriptor config;
  std::vector<image::Descriptor> layers;
};

Served add_image(TestRegistry& registry, const std::string& platform_json, std::size_t layers,
                 std::size_t diff_ids, const std::string& tag = "") {
  std::vector<image::Descriptor> served_layers;
  for (std::size_t i = 0; i < layers; ++i) {
    served_layers.push_back(registry.add_blob("layer " + std::to_string(i) + platform_json));
  }
  std::string diff_id_list;
  for (std::size_t i = 0; i < diff_ids; ++i) {
    diff_id_list += std::string(i > 0 ? "," : "") + "\"" +
                    digest::sha256("diff " + std::to_string(i)).string() + "\"";
  }
  std::string config_json =
      "{" + platform_json + R"(,"rootfs":{"type":"layers","diff_ids":[)" + diff_id_list + "]}}";
  image::Descriptor config =
      registry.add_blob(config_json, "application/vnd.docker.container.image.v1+json");
  std::string manifest = R"({"schemaVersion":2,"mediaType":")" + std::string(kManifestType) +
                         R"(","config":)" + descriptor_json(config.media_type, config) +
                         R"(,"layers":[)";
  for (std::size_t i = 0; i < layers; ++i) {
    manifest += (i > 0 ? "," : "") + descriptor_json(kLayerType, served_layers[i]);
  }
  manifest += "]}";
  if (!tag.empty()) registry.add_manifest(tag, manifest, kManifestType);
  registry.add_manifest(digest::sha256(manifest).string(), manifest, kManifestType);
  return Served{manifest, config, served_layers};
}

const char* kAmd64 = R"("os":"linux","architecture":"amd64")";
const char* kArmV7 = R"("os":"linux","architecture":"arm","variant":"v7")";

// An index of `images` (with the platform objects given), plus an attestation entry.
std::string add_index(TestRegistry& registry, const std::string& tag,
                      const std::vector<std::pair<Served, std::string>>& images) {
  std::string index =
      R"({"schemaVersion":2,"mediaType":")" + std::string(kIndexType) + R"(","manifests":[)";
  for (const auto& [served, platform] : images) {
    image::Descriptor entry{kManifestType,
                            digest::sha256(served.manifest),
                            static_cast<std::int64_t>(served.manifest.size()),
                            {},
                            {},
                            {}};
    index += descriptor_json(kManifestType, entry, ",\"platform\":{" + platform + "}") + ",";
  }
  image::Descriptor attestation{kManifestType, digest::sha256("attestation"), 11, {}, {}, {}};
  index += descriptor_json(kManifestType, attestation,
                           R"(,"platform":{"os":"unknown","architecture":"unknown"})") +
           "]}";
  registry.add_manifest(tag, index, kIndexType);
  registry.add_manifest(digest::sha256(index).string(), index, kIndexType);
  return index;
}

bool asked_for_any_layer(const TestRegistry& registry, const Served& served) {
  std::vector<std::string> targets = registry.targets();
  return std::any_of(served.layers.begin(), served.layers.end(), [&](const image::Descriptor& l) {
    return std::any_of(targets.begin(), targets.end(), [&](const std::string& target) {
      return target.find(l.digest.string()) != std::string::npos;
    });
  });
}

TEST(LockImage, PinsASingleManifestWithItsConfigsPlatformAndDiffIds) {
  TestRegistry registry;
  Served served = add_image(registry, kArmV7, 2, 2, "v1");
  std::string text = registry.client().registry().domain + "/team/app:v1";
  LockedImage image = lock_image(registry.client(), text, registry.reference("v1"),
                                 {PlatformSelection::Mode::kHost, {}}, nullptr);
  EXPECT_EQ(image.reference, text);
  EXPECT_EQ(image.registry, registry.client().registry().domain);
  EXPECT_EQ(image.repository, "team/app");
  EXPECT_EQ(image.tag, "v1");
  EXPECT_EQ(image.digest, digest::sha256(served.manifest).string());
  EXPECT_EQ(image.media_type, kManifestType);
  ASSERT_EQ(image.platforms.size(), 1u);
  const LockedPlatform& locked = image.platforms[0];
  EXPECT_EQ(locked.platform, (image::Platform{"linux", "arm", "v7"}));
  EXPECT_EQ(locked.manifest, (LockedBlob{image.digest, kManifestType, served.manifest.size()}));
  EXPECT_EQ(locked.config.digest, served.config.digest.string());
  ASSERT_EQ(locked.layers.size(), 2u);
  EXPECT_EQ(locked.layers[1].digest, served.layers[1].digest.string());
  EXPECT_EQ(locked.layers[1].media_type, kLayerType);
  EXPECT_EQ(locked.layers[1].diff_id, digest::sha256("diff 1").string());
  EXPECT_FALSE(asked_for_any_layer(registry, served));
}

TEST(LockImage, PinsEveryPlatformOfAnIndexInOrderWithoutLayers) {
  TestRegistry registry;
  Served amd64 = add_image(registry, kAmd64, 1, 1);
  Served arm = add_image(registry, kArmV7, 3, 3);
  std::string index = add_index(registry, "multi", {{arm, kArmV7}, {amd64, kAmd64}});
  LockedImage image = lock_image(registry.client(), "x", registry.reference("multi"),
                                 {PlatformSelection::Mode::kAll, {}}, nullptr);
  EXPECT_EQ(image.digest, digest::sha256(index).string());
  EXPECT_EQ(image.media_type, kIndexType);
  ASSERT_EQ(image.platforms.size(), 2u);  // The attestation entry is left out.
  EXPECT_EQ(image.platforms[0].platform.string(), "linux/arm/v7");
  EXPECT_EQ(image.platforms[0].layers.size(), 3u);
  EXPECT_EQ(image.platforms[1].platform.string(), "linux/amd64");
  EXPECT_EQ(image.platforms[1].manifest.digest, digest::sha256(amd64.manifest).string());
  EXPECT_FALSE(asked_for_any_layer(registry, amd64));
  EXPECT_FALSE(asked_for_any_layer(registry, arm));
}

TEST(LockImage, KeepsADigestPinnedReferencePinned) {
  TestRegistry registry;
  Served served = add_image(registry, kAmd64, 1, 1);
  std::string pin = digest::sha256(served.manifest).string();
  ref::Reference reference =
      ref::Reference::parse(registry.client().registry().domain + "/team/app@" + pin);
  LockedImage image = lock_image(registry.client(), "pinned", reference,
                                 {PlatformSelection::Mode::kHost, {}}, nullptr);
  EXPECT_FALSE(image.tag.has_value());
  EXPECT_EQ(image.digest, pin);
}

TEST(LockImage, RefusesAConfigWhoseDiffIdsDoNotPairWithTheLayers) {
  TestRegistry registry;
  add_image(registry, kAmd64, 2, 1, "v1");
  std::string message;
  EXPECT_EQ(kind_of(
                [&] {
                  lock_image(registry.client(), "x", registry.reference("v1"),
                             {PlatformSelection::Mode::kHost, {}}, nullptr);
                },
                &message),
            ErrorKind::kFormat);
  EXPECT_NE(message.find("has 2 layers but its config 1 diff_ids"), std::string::npos) << message;
}

TEST(LockImage, RefusesASingleImageForAnotherPlatformThanTheOneListed) {
  TestRegistry registry;
  add_image(registry, kArmV7, 1, 1, "v1");
  PlatformSelection selection{PlatformSelection::Mode::kListed, {{"linux", "amd64", ""}}};
  EXPECT_EQ(kind_of([&] {
              lock_image(registry.client(), "x", registry.reference("v1"), selection, nullptr);
            }),
            ErrorKind::kNotFound);
}

TEST(LockImage, RefusesAnIndexEntryWhoseSizeIsWrong) {
  TestRegistry registry;
  Served amd64 = add_image(registry, kAmd64, 1, 1);
  std::string index = R"({"schemaVersion":2,"mediaType":")" + std::string(kIndexType) +
                      R"(","manifests":[{"mediaType":")" + kManifestType + R"(","digest":")" +
                      digest::sha256(amd64.manifest).string() + R"(","size":)" +
                      std::to_string(amd64.manifest.size() + 1) + R"(,"platform":{)" + kAmd64 +
                      "}}]}";
  registry.add_manifest("v1", index, kIndexType);
  PlatformSelection selection{PlatformSelection::Mode::kListed, {{"linux", "amd64", ""}}};
  EXPECT_EQ(kind_of([&] {
              lock_image(registry.client(), "x", registry.reference("v1"), selection, nullptr);
            }),
            ErrorKind::kIntegrity);
}

// In-memory lockfiles for the update logic: each image's digest is "sha256:" + 64 × a letter.
LockedImage locked_image(const std::string& reference, std::optional<std::string> tag,
                         char letter) {
  LockedImage image;
  image.reference = reference;
  image.tag = std::move(tag);
  image.digest = "sha256:" + std::string(64, letter);
  return image;
}

TEST(StalePins, NamesTaggedImagesWhoseTagMovedAndNeverAsksAboutPinnedOnes) {
  Lockfile lockfile{{locked_image("a:1", "1", 'a'), locked_image("b@x", std::nullopt, 'b'),
                     locked_image("c:1", "1", 'c')}};
  std::vector<std::string> asked;
  auto current = [&](const LockedImage& image) {
    asked.push_back(image.reference);
    return image.reference == "c:1" ? "sha256:" + std::string(64, 'd') : image.digest;
  };
  EXPECT_EQ(stale_pins(lockfile, current),
            (std::vector<PinChange>{
                {"c:1", lockfile.images[2].digest, "sha256:" + std::string(64, 'd')}}));
  EXPECT_EQ(asked, (std::vector<std::string>{"a:1", "c:1"}));
}

TEST(UpdateLockfile, RelocksOnlyMovedTagsKeepingOrderAndReportingEachChange) {
  Lockfile lockfile{{locked_image("a:1", "1", 'a'), locked_image("b@x", std::nullopt, 'b'),
                     locked_image("c:1", "1", 'c')}};
  auto current = [](const LockedImage& image) {
    return image.reference == "b@x" ? std::string("never asked") : "sha256:" + std::string(64, 'e');
  };
  std::vector<std::string> relocked;
  auto relock = [&](const LockedImage& image) {
    relocked.push_back(image.reference);
    return locked_image(image.reference, image.tag, image.reference == "a:1" ? 'e' : 'f');
  };
  std::vector<PinChange> changes;
  Lockfile updated = update_lockfile(lockfile, current, relock, changes);
  EXPECT_EQ(relocked, (std::vector<std::string>{"a:1", "c:1"}));
  EXPECT_EQ(updated.images[0].digest, "sha256:" + std::string(64, 'e'));
  EXPECT_EQ(updated.images[1], lockfile.images[1]);
  EXPECT_EQ(updated.images[2].digest, "sha256:" + std::string(64, 'f'));
  EXPECT_EQ(changes,
            (std::vector<PinChange>{{"a:1", lockfile.images[0].digest, updated.images[0].digest},
                                    {"c:1", lockfile.images[2].digest, updated.images[2].digest}}));
}

TEST(UpdateLockfile, ChangesNothingWhenEveryTagStillNamesItsPin) {
  Lockfile lockfile{{locked_image("a:1", "1", 'a')}};
  std::vector<PinChange> changes;
  Lockfile updated = update_lockfile(
      lockfile, [](const LockedImage& image) { return image.digest; },
      [](const LockedImage&) -> LockedImage { throw Error(ErrorKind::kInternal, "relocked"); },
      changes);
  EXPECT_EQ(updated, lockfile);
  EXPECT_TRUE(changes.empty());
}

}  // namespace
}  // namespace hocker::lock
