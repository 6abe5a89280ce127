#include "hocker/push/oci_push.h"

#include <gtest/gtest.h>

#include <map>

#include "hocker/base/test_support.h"

namespace hocker::push {
namespace {

using test_support::kind_of;

std::string descriptor(const std::string& type, const std::string& content,
                       const std::string& extra = "") {
  return R"({"mediaType":")" + type + R"(","digest":")" + digest::sha256(content).string() +
         R"(","size":)" + std::to_string(content.size()) + extra + "}";
}

std::string manifest_with(const std::string& config, const std::string& layer) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":)" +
         descriptor("application/vnd.oci.image.config.v1+json", config) + R"(,"layers":[)" +
         descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer) + "]}";
}

struct Layout {
  std::map<std::string, std::string> blobs;
  std::string add(const std::string& content) {
    blobs[digest::sha256(content).string()] = content;
    return content;
  }
  ReadDocument reader() {
    return [this](const image::Descriptor& descriptor) {
      return blobs.at(descriptor.digest.string());
    };
  }
};

TEST(PlanOciLayout, PushesChildManifestsByDigestBeforeTheIndexUnderTheTag) {
  Layout layout;
  std::string amd64 = layout.add(manifest_with("config-amd64", "layer-amd64"));
  std::string arm64 = layout.add(manifest_with("config-arm64", "layer-shared"));
  std::string index = layout.add(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
      descriptor("application/vnd.oci.image.manifest.v1+json", amd64,
                 R"(,"platform":{"os":"linux","architecture":"amd64"})") +
      "," +
      descriptor("application/vnd.oci.image.manifest.v1+json", arm64,
                 R"(,"platform":{"os":"linux","architecture":"arm64"})") +
      "]}");
  std::string index_json =
      R"({"schemaVersion":2,"manifests":[)" +
      descriptor("application/vnd.oci.image.index.v1+json", index,
                 R"(,"annotations":{"org.opencontainers.image.ref.name":"v2"})") +
      "]}";
  OciPlan plan = plan_oci_layout(index_json, layout.reader(), "");
  ASSERT_EQ(plan.documents.size(), 3U);
  EXPECT_EQ(plan.documents[0].reference, digest::sha256(amd64).string());
  EXPECT_EQ(plan.documents[1].reference, digest::sha256(arm64).string());
  EXPECT_EQ(plan.documents[2].reference, "v2");
  EXPECT_EQ(plan.documents[2].raw, index);
  EXPECT_EQ(plan.documents[2].media_type, "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(plan.blobs.size(), 4U);
}

TEST(PlanOciLayout, PushesIndexJsonItselfWhenItListsSeveralManifests) {
  Layout layout;
  std::string one = layout.add(manifest_with("c1", "l1"));
  std::string two = layout.add(manifest_with("c2", "l2"));
  std::string index_json = R"({"schemaVersion":2,"manifests":[)" +
                           descriptor("application/vnd.oci.image.manifest.v1+json", one) + "," +
                           descriptor("application/vnd.oci.image.manifest.v1+json", two) + "]}";
  OciPlan plan = plan_oci_layout(index_json, layout.reader(), "multi");
  ASSERT_EQ(plan.documents.size(), 3U);
  EXPECT_EQ(plan.documents.back().raw, index_json);
  EXPECT_EQ(plan.documents.back().reference, "multi");
}

TEST(PlanOciLayout, WantsATagWhenTheLayoutNamesNone) {
  Layout layout;
  std::string one = layout.add(manifest_with("c1", "l1"));
  std::string index_json = R"({"schemaVersion":2,"manifests":[)" +
                           descriptor("application/vnd.oci.image.manifest.v1+json", one) + "]}";
  EXPECT_EQ(kind_of([&] { plan_oci_layout(index_json, layout.reader(), ""); }), ErrorKind::kUsage);
}

TEST(PlanOciLayout, RefusesEntriesWithDifferentNamesAsSeveralImagesPointingAtAll) {
  Layout layout;
  std::string one = layout.add(manifest_with("config-one", "layer-one"));
  std::string two = layout.add(manifest_with("config-two", "layer-two"));
  std::string index = R"({"schemaVersion":2,"manifests":[)" +
                      descriptor("application/vnd.oci.image.manifest.v1+json", one,
                                 R"(,"annotations":{"io.containerd.image.name":"a.io/one:1"})") +
                      "," +
                      descriptor("application/vnd.oci.image.manifest.v1+json", two,
                                 R"(,"annotations":{"io.containerd.image.name":"a.io/two:2"})") +
                      "]}";
  std::string message;
  EXPECT_EQ(kind_of([&] { plan_oci_layout(index, layout.reader(), "v1"); }, &message),
            ErrorKind::kFormat);
  EXPECT_NE(message.find("--all"), std::string::npos) << message;
}

}  // namespace
}  // namespace hocker::push
