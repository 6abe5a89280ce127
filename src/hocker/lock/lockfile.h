// The lockfile: images pinned by registry digests, down to every platform's manifest, config
// and layers (with their diff_ids), so that a build can fetch exactly those blobs later without
// asking the registry what a tag means. Its JSON form is docs/json/lock.schema.json; resolving
// references into one is lock/resolve.h's business.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hocker/image/platform.h"

namespace hocker::lock {

/// The only lockVersion this hocker reads and writes.
inline constexpr int kLockVersion = 1;
/// The largest lockfile read: far beyond any real one, small enough to parse in memory.
inline constexpr std::size_t kMaxLockfileSize = 64u << 20;

/// A blob (or manifest) as a descriptor names it. The digest is a validated digest string.
struct LockedBlob {
  std::string digest;
  std::string media_type;
  std::uint64_t size = 0;

  bool operator==(const LockedBlob&) const = default;
};

/// A layer, with the digest of its uncompressed content (the config's rootfs.diff_ids entry).
struct LockedLayer : LockedBlob {
  std::string diff_id;

  bool operator==(const LockedLayer&) const = default;
};

/// One platform of an image: its manifest, config and layers, in manifest order.
struct LockedPlatform {
  image::Platform platform;
  LockedBlob manifest;
  LockedBlob config;
  std::vector<LockedLayer> layers;

  bool operator==(const LockedPlatform&) const = default;
};

/// One image as the user named it and as the registry resolved it.
struct LockedImage {
  std::string reference;   ///< Exactly as given ("127.0.0.1:5000/team/app:1.0").
  std::string registry;    ///< Registry host[:port] to contact ("registry-1.docker.io").
  std::string repository;  ///< "team/app", "library/debian".
  /// The tag the reference names; nullopt when it is pinned by digest (then never updated).
  std::optional<std::string> tag;
  std::string digest;      ///< The document the tag (or pin) resolved to: index or manifest.
  std::string media_type;  ///< That document's media type.
  std::vector<LockedPlatform> platforms;  ///< Index order, or the single manifest.

  bool operator==(const LockedImage&) const = default;
};

struct Lockfile {
  std::vector<LockedImage> images;  ///< In the order the references were given.

  bool operator==(const Lockfile&) const = default;
};

/// Parses and validates a lockfile: lockVersion 1 (another version: "unsupported lockVersion
/// 2; this hocker reads version 1"), every key present with its type and no unknown key, every
/// digest and diffId a valid digest (digest::Digest), every size a non-negative integer of at
/// most image::kMaxBlobSize, every reference a valid image reference, each platform with an os
/// and an architecture. Throws Error(kFormat, "invalid lockfile <what>: <where>: <problem>").
Lockfile parse_lockfile(std::string_view json, std::string_view what);

/// The lockfile as JSON: 2-space indent, keys in the documented order, a trailing newline;
/// "variant" only when not empty. The same Lockfile always gives the same bytes, and
/// parse_lockfile() of them gives the Lockfile back.
std::string serialize_lockfile(const Lockfile& lockfile);

/// Reads (at most kMaxLockfileSize bytes) and parses `path`. Throws Error(kLocalIo) when it
/// cannot be read, and what parse_lockfile() throws, naming the path.
Lockfile read_lockfile(const std::filesystem::path& path);

/// Writes serialize_lockfile(lockfile) to `path` atomically (AtomicFile: a temporary beside
/// it, renamed over it). Throws Error(kLocalIo).
void write_lockfile(const std::filesystem::path& path, const Lockfile& lockfile);

}  // namespace hocker::lock
