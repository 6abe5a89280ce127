// Guessing a compressed layer's decompressed size before it is fetched, from a few bytes of
// the blob: a gzip member ends with ISIZE (the input size mod 2^32), a zstd frame header may
// carry Frame_Content_Size. The docker format uses the guesses to lay out every layer in place
// (entry_placer.h); a guess is never trusted, since several gzip members or zstd frames, a size
// of 4 GiB or more, or a server that lies all make it wrong, and a wrong one costs a copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "hocker/archive/image_source.h"

namespace hocker::archive {

/// The size a gzip blob of `compressed_size` bytes announces in its last four bytes `tail`
/// (little-endian ISIZE), when it is plausible for a single member under 4 GiB: at least half
/// the compressed size (stored blocks barely grow data) and at most 1032 times it (deflate's
/// limit). Nothing otherwise.
std::optional<std::int64_t> gzip_size_hint(std::int64_t compressed_size, std::string_view tail);

/// Frame_Content_Size from a zstd frame's first bytes `head` (magic, frame header), when the
/// header carries one. Nothing otherwise.
std::optional<std::int64_t> zstd_size_hint(std::string_view head);

/// The decompressed size guessed for layer `blob`: an uncompressed layer's is its own size, a
/// gzip one reads its last 4 bytes and a zstd one its first 18 through `read`. Nothing when
/// `read` cannot give them or they give no plausible size; never throws for a bad answer.
std::optional<std::int64_t> layer_size_hint(const image::Descriptor& blob,
                                            const BlobRangeReader& read);

}  // namespace hocker::archive
