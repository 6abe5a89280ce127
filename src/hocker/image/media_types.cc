#include "hocker/image/media_types.h"

#include <array>
#include <utility>

#include "hocker/base/error.h"
#include "hocker/base/text.h"

namespace hocker::image {
namespace {

using namespace media_type;

constexpr std::array<std::pair<std::string_view, Compression>, 11> kLayers = {{
    {kDockerLayer, Compression::kNone},
    {kDockerLayerGzip, Compression::kGzip},
    {kDockerLayerZstd, Compression::kZstd},
    {kDockerForeignLayer, Compression::kNone},
    {kDockerForeignLayerGzip, Compression::kGzip},
    {kOciLayer, Compression::kNone},
    {kOciLayerGzip, Compression::kGzip},
    {kOciLayerZstd, Compression::kZstd},
    {kOciNondistributableLayer, Compression::kNone},
    {kOciNondistributableLayerGzip, Compression::kGzip},
    {kOciNondistributableLayerZstd, Compression::kZstd},
}};

}  // namespace

std::string manifest_accept_header() {
  return std::string(kOciIndex) + ", " + std::string(kDockerManifestList) + ", " +
         std::string(kOciManifest) + ", " + std::string(kDockerManifest);
}

Compression layer_compression(std::string_view media_type) {
  for (const auto& [type, compression] : kLayers) {
    if (type == media_type) return compression;
  }
  // Media types come from the network: show a bounded, printable form.
  throw Error(ErrorKind::kFormat,
              "unsupported layer media type " + quote_untrusted(media_type, 100));
}

bool is_foreign_layer(std::string_view media_type) {
  return media_type == kDockerForeignLayer || media_type == kDockerForeignLayerGzip ||
         media_type == kOciNondistributableLayer || media_type == kOciNondistributableLayerGzip ||
         media_type == kOciNondistributableLayerZstd;
}

bool is_image_manifest(std::string_view media_type) {
  return media_type == kDockerManifest || media_type == kOciManifest;
}

bool is_index(std::string_view media_type) {
  return media_type == kDockerManifestList || media_type == kOciIndex;
}

}  // namespace hocker::image
