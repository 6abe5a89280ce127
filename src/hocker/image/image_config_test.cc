#include "hocker/image/image_config.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"
#include "hocker/image/media_types.h"
#include "hocker/image/test_data.h"

namespace hocker::image {
namespace {

using testing::digest_of;
using testing::nested;
using testing::read_golden;

TEST(ImageConfig, ReadsDiffIdsAndPlatform) {
  std::string raw = read_golden("docker_config.json");
  ImageConfig config = ImageConfig::parse(raw);
  EXPECT_EQ(config.raw(), raw);
  EXPECT_EQ(config.digest(), digest::sha256(raw));
  ASSERT_EQ(config.diff_ids().size(), 2u);
  EXPECT_EQ(config.diff_ids()[0].string(), digest_of("diff0"));
  EXPECT_EQ(config.diff_ids()[1].string(), digest_of("diff1"));
  EXPECT_EQ(config.os(), "linux");
  EXPECT_EQ(config.architecture(), "amd64");
  EXPECT_EQ(config.variant(), "");
}

TEST(ImageConfig, AcceptsAnImageWithoutLayers) {
  for (const char* raw :
       {R"({"rootfs":{"type":"layers","diff_ids":[]}})",
        R"({"rootfs":{"type":"layers","diff_ids":null}})", R"({"rootfs":{"type":"layers"}})"}) {
    SCOPED_TRACE(raw);
    EXPECT_TRUE(ImageConfig::parse(raw).diff_ids().empty());
  }
}

TEST(ImageConfig, RefusesMalformedConfigs) {
  std::string too_many = R"({"rootfs":{"type":"layers","diff_ids":[)";
  for (std::size_t i = 0; i <= kMaxLayers; ++i) {
    too_many += (i ? ",\"" : "\"") + digest_of("d") + "\"";
  }
  too_many += "]}}";
  struct Case {
    std::string raw, reason;
  } cases[] = {
      {"", "not valid JSON"},
      {"[]", "not a JSON object"},
      {"{}", "rootfs is missing"},
      {R"({"rootfs":[]})", "rootfs is not an object"},
      {R"({"rootfs":{"diff_ids":[]}})", "rootfs.type is not \"layers\""},
      {R"({"rootfs":{"type":"layers","diff_ids":{}}})", "rootfs.diff_ids is not an array"},
      {R"({"rootfs":{"type":"layers","diff_ids":["sha256:../../etc/passwd"]}})",
       "rootfs.diff_ids[0] \"sha256:../../etc/passwd\" is not a valid digest"},
      {R"({"rootfs":{"type":"layers","diff_ids":[5]}})", "rootfs.diff_ids[0] \"5\""},
      {R"({"os":5,"rootfs":{"type":"layers"}})", "os is not a string"},
      {too_many, "1001 diff_ids, more than the 1000 allowed"},
      {R"({"rootfs":{"type":"layers"},"x":)" + nested(100) + "}", "nested deeper"},
      {std::string(kMaxConfigSize + 1, ' '), "more than the 16777216 allowed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.raw.substr(0, 200));
    try {
      ImageConfig::parse(c.raw);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
      std::string message = error.what();
      EXPECT_TRUE(message.starts_with("invalid image config: ")) << message;
      EXPECT_NE(message.find(c.reason), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace hocker::image
