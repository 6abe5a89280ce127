// Media types of Docker schema 2 and OCI image documents and layers, the manifest Accept
// header, and what a layer's media type says about its compression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hocker::image::media_type {

inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayerZstd =
    "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view kDockerForeignLayer =
    "application/vnd.docker.image.rootfs.foreign.diff.tar";
inline constexpr std::string_view kDockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciNondistributableLayer =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciNondistributableLayerGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kOciNondistributableLayerZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

}  // namespace hocker::image::media_type

namespace hocker::image {

/// The Accept header value for manifest requests: OCI index, docker manifest list, OCI
/// manifest and docker schema 2 manifest, comma-separated, for one header.
std::string manifest_accept_header();

enum class Compression { kNone, kGzip, kZstd };

/// The compression a layer media type announces. Throws Error(kFormat) for a media type that
/// is not a layer.
Compression layer_compression(std::string_view media_type);

/// Whether `media_type` is a docker foreign layer or an OCI nondistributable layer (one whose
/// blob may live outside the registry, at the descriptor's urls).
bool is_foreign_layer(std::string_view media_type);

/// Whether `media_type` names an image manifest (docker schema 2 or OCI).
bool is_image_manifest(std::string_view media_type);

/// Whether `media_type` names a docker manifest list or an OCI index.
bool is_index(std::string_view media_type);

inline constexpr std::size_t kMaxManifestSize = 4u << 20;
inline constexpr std::size_t kMaxConfigSize = 16u << 20;
inline constexpr std::size_t kMaxLayers = 1000;
/// The largest blob size a descriptor may declare: 1 TiB, far beyond any real layer, and small
/// enough that kMaxLayers of them still add up without overflowing an int64.
inline constexpr std::int64_t kMaxBlobSize = std::int64_t{1} << 40;

}  // namespace hocker::image
