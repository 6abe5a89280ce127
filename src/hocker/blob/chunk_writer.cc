#include "hocker/blob/chunk_writer.h"

#include <algorithm>
#include <cstring>

namespace hocker::blob {

void ChunkWriter::append(Bytes data) {
  while (!data.empty()) {
    std::span<std::byte> free = space();
    std::size_t take = std::min(free.size(), data.size());
    std::memcpy(free.data(), data.data(), take);
    produced(take);
    data = data.subspan(take);
  }
}

}  // namespace hocker::blob
