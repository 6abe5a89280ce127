// A block-parallel gzip compressor (the pigz scheme): the stream is cut into fixed-size blocks,
// each deflated on its own with the 32 KiB before it as preset dictionary, and the pieces are
// joined into one gzip member. The bytes depend only on the input, the level and the block size.
#pragma once

#include <cstddef>
#include <memory>

#include "hocker/base/byte_sink.h"

namespace hocker::blob {

/// How the parallel gzip compressor cuts and compresses.
struct ParallelGzipOptions {
  int level = 1;  ///< zlib level, 1-9.
  std::size_t block_size =
      std::size_t{256} * 1024;  ///< Bytes of input per block (at least 32 KiB).
  unsigned threads = 2;         ///< Worker threads; 0 compresses in the caller's thread.
};

/// A gzip-compressing stage producing one member: header `1f 8b 08 00`, mtime 0, XFL as zlib
/// writes it for `level` (4 at level 1, 2 at 9, else 0), OS 255. Every full block of
/// `block_size` input bytes is raw-deflated by zlib with a fresh state, the last 32 KiB of input
/// before it as dictionary, and ended with Z_SYNC_FLUSH; finish() deflates the rest (possibly
/// nothing) the same way but ended with Z_FINISH, then writes CRC-32 and size and calls
/// next.finish(). The output is therefore the same whatever the thread count and however the
/// input is split into writes; input shorter than a block gives the bytes zlib's own gzip
/// wrapper would. Streams: at most 2 * threads + 1 blocks are held. All writes to `next` happen in
/// the caller's thread.
std::unique_ptr<ByteSink> make_parallel_gzip_compressor(ByteSink& next,
                                                        const ParallelGzipOptions& options);

}  // namespace hocker::blob
