// Reading one layer's tar with libarchive, entry by entry, from a LayerFile: headers only (the
// data of entries not asked for is skipped, or decompressed and dropped), or headers and data.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>

#include "hocker/base/byte_sink.h"
#include "hocker/rootfs/layer_file.h"

struct archive;
struct archive_entry;

namespace hocker::rootfs {

/// A pass over one layer, from its first byte. Not copyable; one thread.
class LayerReader {
 public:
  /// Throws Error(kFormat) when libarchive cannot start (never for the content: see next()).
  explicit LayerReader(const LayerFile& layer);
  ~LayerReader();
  LayerReader(const LayerReader&) = delete;
  LayerReader& operator=(const LayerReader&) = delete;

  /// The next entry's header (owned by the reader, valid until the next call), or null at the
  /// end of the tar. Throws Error(kFormat, "<layer>: …") when the layer is not a tar (gzip- or
  /// zstd-compressed or not), is truncated or corrupt; Error(kLocalIo) when the file cannot be
  /// read.
  archive_entry* next();
  /// The index of the entry next() returned last, counting from 0 in the order of the tar.
  std::int64_t ordinal() const { return ordinal_; }
  /// Streams the current entry's data to `chunk`, in pieces of at most kChunkSize (holes of a
  /// sparse entry as zeros). Throws like next().
  void read_data(const std::function<void(Bytes)>& chunk);
  const LayerFile& layer() const { return layer_; }

  struct Input;  // the read callbacks' state (layer_reader.cc)

 private:
  [[noreturn]] void fail(const char* doing);

  LayerFile layer_;
  std::unique_ptr<Input> input_;
  archive* archive_ = nullptr;
  std::int64_t ordinal_ = -1;
};

}  // namespace hocker::rootfs
