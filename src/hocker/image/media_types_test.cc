#include "hocker/image/media_types.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"

namespace hocker::image {
namespace {

TEST(MediaTypes, AcceptHeaderNamesAllFourManifestTypesInOneLine) {
  std::string accept = manifest_accept_header();
  for (std::string_view type : {media_type::kDockerManifest, media_type::kDockerManifestList,
                                media_type::kOciManifest, media_type::kOciIndex}) {
    EXPECT_NE(accept.find(type), std::string::npos) << type;
  }
  EXPECT_EQ(accept.find(media_type::kDockerSchema1), std::string::npos);
  EXPECT_EQ(accept.find('\n'), std::string::npos);
  EXPECT_EQ(std::count(accept.begin(), accept.end(), ','), 3);
}

TEST(MediaTypes, LayerCompressionFollowsTheMediaType) {
  struct Case {
    std::string_view media_type;
    Compression compression;
    bool foreign;
  } cases[] = {
      {media_type::kDockerLayerGzip, Compression::kGzip, false},
      {media_type::kDockerLayer, Compression::kNone, false},
      {media_type::kDockerLayerZstd, Compression::kZstd, false},
      {media_type::kDockerForeignLayerGzip, Compression::kGzip, true},
      {media_type::kOciLayer, Compression::kNone, false},
      {media_type::kOciLayerGzip, Compression::kGzip, false},
      {media_type::kOciLayerZstd, Compression::kZstd, false},
      {media_type::kOciNondistributableLayer, Compression::kNone, true},
      {media_type::kOciNondistributableLayerGzip, Compression::kGzip, true},
      {media_type::kOciNondistributableLayerZstd, Compression::kZstd, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.media_type);
    EXPECT_EQ(layer_compression(c.media_type), c.compression);
    EXPECT_EQ(is_foreign_layer(c.media_type), c.foreign);
  }
}

TEST(MediaTypes, NonLayerMediaTypesHaveNoCompression) {
  for (std::string_view type :
       {media_type::kDockerConfig, media_type::kOciManifest,
        std::string_view("application/octet-stream"), std::string_view("")}) {
    SCOPED_TRACE(type);
    try {
      layer_compression(type);
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    }
  }
}

TEST(MediaTypes, ClassifiesManifestAndIndexTypes) {
  EXPECT_TRUE(is_image_manifest(media_type::kDockerManifest));
  EXPECT_TRUE(is_image_manifest(media_type::kOciManifest));
  EXPECT_FALSE(is_image_manifest(media_type::kOciIndex));
  EXPECT_TRUE(is_index(media_type::kDockerManifestList));
  EXPECT_TRUE(is_index(media_type::kOciIndex));
  EXPECT_FALSE(is_index(media_type::kDockerSchema1));
}

}  // namespace
}  // namespace hocker::image
