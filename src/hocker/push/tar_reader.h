// Reading a tar archive member by member, in one forward pass, from a file descriptor (a file
// or a pipe): plain, or the whole archive gzip- or zstd-compressed (detected from the first
// bytes). Built on libarchive, which handles ustar, pax and GNU headers; member names are
// checked before their content is read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hocker/base/byte_sink.h"

namespace hocker::push {

/// One member of the archive, as its header names it.
struct TarMember {
  std::string name;  ///< Normalised: no leading "./", no trailing '/'.
  std::int64_t size = 0;
  bool is_file = false;  ///< A regular file (directories, links and the rest are not).
};

/// Why `name` may not be a member of an image archive ("absolute path", "'..' component"), or
/// "" when it is acceptable. A hostile archive could otherwise name blobs outside the layout.
std::string member_name_problem(const std::string& name);

/// A forward-only reader over `fd` (not owned; it must stay open). Not thread-safe.
class TarReader {
 public:
  /// `what` names the source in messages ("archive.tar", "standard input").
  TarReader(int fd, std::string what);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  /// The next member, or nullopt at the end of the archive. Skips the unread content of the
  /// previous one. Throws Error(kFormat) for a damaged archive or a member name refused by
  /// member_name_problem(), Error(kLocalIo) when reading fails.
  std::optional<TarMember> next();
  /// Streams the current member's content into `sink` (write() only), in chunks.
  void read(ByteSink& sink);
  /// The current member's content whole, when it is at most `max_size` bytes; else
  /// Error(kFormat) naming `what`.
  std::string read_small(std::size_t max_size, const std::string& what);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hocker::push
