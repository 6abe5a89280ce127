#include "hocker/archive/layer_size.h"

#include <algorithm>

#include "hocker/base/error.h"
#include "hocker/image/media_types.h"

namespace hocker::archive {
namespace {

constexpr std::size_t kZstdHeaderMax = 18;  // 4 magic + 1 descriptor + 1 window + 4 dict + 8.

std::uint64_t little_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> gzip_size_hint(std::int64_t compressed_size, std::string_view tail) {
  if (tail.size() != 4 || compressed_size < 20 || compressed_size >= (std::int64_t{1} << 32)) {
    return std::nullopt;
  }
  auto size = static_cast<std::int64_t>(little_endian(tail));
  if (size < compressed_size / 2 || size > compressed_size * 1032) return std::nullopt;
  return size;
}

std::optional<std::int64_t> zstd_size_hint(std::string_view head) {
  if (head.size() < 6 || head.substr(0, 4) != std::string_view("\x28\xb5\x2f\xfd", 4)) {
    return std::nullopt;
  }
  auto descriptor = static_cast<unsigned char>(head[4]);
  int size_flag = descriptor >> 6;
  bool single_segment = ((descriptor >> 5) & 1) != 0;
  constexpr std::size_t kDictionaryBytes[] = {0, 1, 2, 4};
  constexpr std::size_t kSizeBytes[] = {0, 2, 4, 8};
  std::size_t at = 5 + (single_segment ? 0 : 1) + kDictionaryBytes[descriptor & 3];
  std::size_t length = size_flag == 0 && single_segment ? 1 : kSizeBytes[size_flag];
  if (length == 0 || head.size() < at + length) return std::nullopt;
  std::uint64_t size = little_endian(head.substr(at, length));
  if (length == 2) size += 256;
  if (size > static_cast<std::uint64_t>(image::kMaxBlobSize)) return std::nullopt;
  return static_cast<std::int64_t>(size);
}

std::optional<std::int64_t> layer_size_hint(const image::Descriptor& blob,
                                            const BlobRangeReader& read) {
  image::Compression compression = image::Compression::kNone;
  try {
    compression = image::layer_compression(blob.media_type);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (compression == image::Compression::kNone) return blob.size;
  if (!read || blob.size < 4) return std::nullopt;
  if (compression == image::Compression::kGzip) {
    auto tail = read(blob, blob.size - 4, 4);
    return tail ? gzip_size_hint(blob.size, *tail) : std::nullopt;
  }
  auto head = read(blob, 0, std::min<std::int64_t>(blob.size, kZstdHeaderMax));
  return head ? zstd_size_hint(*head) : std::nullopt;
}

}  // namespace hocker::archive
