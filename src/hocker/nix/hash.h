// Hashes as Nix writes them: Nix's own base32 (printHash32) and SRI. Pure functions on raw
// digest bytes; computing digests is left to hocker::digest.
#pragma once

#include <string>
#include <string_view>

#include "hocker/digest/digest.h"

namespace hocker::nix {

/// Nix's base32 of raw hash bytes: alphabet "0123456789abcdfghijklmnpqrsvwxyz" (no e, o, u, t),
/// Nix's own bit order (printHash32: the last character holds the lowest five bits of the
/// first byte). ceil(8·n/5) characters: 52 for sha256, 103 for sha512.
std::string base32(std::string_view raw);

/// SRI form "sha256-<base64 with padding>" (or "sha512-…"), as `nix hash to-sri` prints.
std::string sri(const digest::Digest& digest);

/// How docker2nix writes a fixed-output hash.
enum class HashFormat { kBase32, kSri };

/// `digest` in `format`: base32(raw bytes) or sri(digest).
std::string format_hash(const digest::Digest& digest, HashFormat format);

}  // namespace hocker::nix
