#include "hocker/nix/hash.h"

#include <cstdint>

#include "hocker/base/base64.h"

namespace hocker::nix {
namespace {

constexpr std::string_view kBase32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

std::uint8_t byte_at(std::string_view raw, std::size_t index) {
  return static_cast<std::uint8_t>(raw[index]);
}

}  // namespace

// Nix's printHash32 (libutil/hash.cc) reads the hash as one little-endian bit string and
// emits five-bit groups from the most significant end; character n (counted from the end)
// holds bits [5n, 5n+5). This is not RFC 4648 base32.
std::string base32(std::string_view raw) {
  if (raw.empty()) return {};
  std::size_t length = (raw.size() * 8 - 1) / 5 + 1;
  std::string out;
  out.reserve(length);
  for (std::size_t n = length; n-- > 0;) {
    std::size_t bit = n * 5;
    std::size_t index = bit / 8;
    unsigned shift = bit % 8;
    unsigned value = byte_at(raw, index) >> shift;
    if (index + 1 < raw.size()) value |= unsigned{byte_at(raw, index + 1)} << (8 - shift);
    out += kBase32Alphabet[value & 0x1f];
  }
  return out;
}

std::string sri(const digest::Digest& digest) {
  return std::string(digest.algorithm_name()) + "-" + base64_encode(digest.raw_bytes());
}

std::string format_hash(const digest::Digest& digest, HashFormat format) {
  return format == HashFormat::kSri ? sri(digest) : base32(digest.raw_bytes());
}

}  // namespace hocker::nix
