// Deterministic ustar: every header has mtime 0, uid/gid 0, empty owner names, mode 0644 for
// files and 0755 for directories. Header and padding helpers serve both streaming writers and
// writers that lay entries out at precomputed offsets; no knowledge of images here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "hocker/base/byte_sink.h"
#include "hocker/base/checked.h"

namespace hocker::archive {

inline constexpr std::size_t kTarBlockSize = 512;
/// The end-of-archive marker: two zero blocks.
inline constexpr std::size_t kTarTrailerSize = 2 * kTarBlockSize;

enum class EntryType { kFile, kDirectory };

using TarHeader = std::array<std::byte, kTarBlockSize>;

/// The header block for `name` with `size` bytes of content (0 for a directory, whose name
/// should end in '/'). Sizes of 8 GiB and more use GNU base-256 in the size field. Names longer
/// than 100 bytes are split into the ustar prefix at a '/' when possible. Throws Error(kFormat)
/// for a name that does not fit, is empty or contains a NUL; Error(kInternal) for a negative size.
TarHeader tar_header(std::string_view name, std::int64_t size, EntryType type = EntryType::kFile);

/// Zero bytes needed after `size` bytes of content to reach a block boundary.
constexpr std::int64_t tar_padding(std::int64_t size) {
  return (static_cast<std::int64_t>(kTarBlockSize) - size % 512) % 512;
}

/// Bytes one entry occupies: header, content, padding. Error(kFormat) when that overflows.
inline std::int64_t tar_entry_size(std::int64_t size) {
  return checked_add(static_cast<std::int64_t>(kTarBlockSize),
                     checked_add(size, tar_padding(size), "tar entry"), "tar entry");
}

/// A view of `count` (≤ 1024) zero bytes, for padding and the trailer.
Bytes tar_zeros(std::size_t count);

/// Writes a tar stream into a sink, entry by entry. Entry content goes through write_content()
/// between begin_file() and end_file(); the writer checks that exactly the declared size came.
class TarWriter {
 public:
  explicit TarWriter(ByteSink& sink) : sink_(sink) {}

  /// A whole file from memory.
  void add_file(std::string_view name, std::string_view content);
  void add_directory(std::string_view name);
  /// Starts a file of `size` bytes; follow with write_content() calls and end_file().
  void begin_file(std::string_view name, std::int64_t size);
  void write_content(Bytes data);
  /// Pads the entry. Throws Error(kInternal) when the content was not the declared size.
  void end_file();
  /// Writes the trailer and finishes the sink.
  void finish();
  /// Bytes written to the sink so far.
  std::int64_t position() const { return position_; }

 private:
  void emit(Bytes data);

  ByteSink& sink_;
  std::int64_t position_ = 0;
  std::int64_t remaining_ = 0;
  std::int64_t declared_ = 0;
};

}  // namespace hocker::archive
