#include "hocker/archive/tar_writer.h"

#include <algorithm>
#include <cstring>

#include "hocker/base/error.h"

namespace hocker::archive {
namespace {

// Field offsets and lengths of the POSIX ustar header (pax spec, "ustar Interchange Format").
struct Field {
  std::size_t offset;
  std::size_t length;
};
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12},
    kMtime{136, 12}, kChecksum{148, 8}, kTypeflag{156, 1}, kMagic{257, 6}, kVersion{263, 2},
    kDevMajor{329, 8}, kDevMinor{337, 8}, kPrefix{345, 155};

// The largest size that fits the 11 octal digits of the size field: 8 GiB - 1.
constexpr std::int64_t kMaxOctalSize = (std::int64_t{1} << 33) - 1;

constexpr std::array<std::byte, 1024> kZeros{};

void put_text(TarHeader& header, Field field, std::string_view text) {
  std::memcpy(header.data() + field.offset, text.data(), std::min(text.size(), field.length));
}

// Zero-padded octal filling the field but its last byte, which stays NUL.
void put_octal(TarHeader& header, Field field, std::uint64_t value) {
  for (std::size_t i = field.length - 1; i-- > 0;) {
    header[field.offset + i] = static_cast<std::byte>('0' + (value & 7));
    value >>= 3;
  }
}

// GNU base-256: the first byte 0x80, then the value big-endian in the remaining bytes.
void put_base256(TarHeader& header, Field field, std::uint64_t value) {
  header[field.offset] = std::byte{0x80};
  for (std::size_t i = field.length - 1; i > 0; --i) {
    header[field.offset + i] = static_cast<std::byte>(value & 0xff);
    value >>= 8;
  }
}

void put_name(TarHeader& header, std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos) {
    throw Error(ErrorKind::kFormat, "invalid tar entry name \"" + std::string(name) + "\"");
  }
  if (name.size() <= kName.length) {
    put_text(header, kName, name);
    return;
  }
  // Split at a '/' so the prefix takes ≤ 155 bytes and the name ≤ 100 (ustar).
  std::size_t limit = std::min(name.size() - 1, kPrefix.length);
  std::size_t slash = name.rfind('/', limit);
  if (slash == std::string_view::npos || slash == 0 || name.size() - slash - 1 > kName.length) {
    throw Error(ErrorKind::kFormat, "tar entry name too long: " + std::string(name));
  }
  put_text(header, kPrefix, name.substr(0, slash));
  put_text(header, kName, name.substr(slash + 1));
}

}  // namespace

TarHeader tar_header(std::string_view name, std::int64_t size, EntryType type) {
  if (size < 0) throw Error(ErrorKind::kInternal, "negative tar entry size");
  TarHeader header{};
  put_name(header, name);
  put_octal(header, kMode, type == EntryType::kDirectory ? 0755 : 0644);
  put_octal(header, kUid, 0);
  put_octal(header, kGid, 0);
  if (size > kMaxOctalSize) {
    put_base256(header, kSize, static_cast<std::uint64_t>(size));
  } else {
    put_octal(header, kSize, static_cast<std::uint64_t>(size));
  }
  put_octal(header, kMtime, 0);
  put_text(header, kTypeflag, type == EntryType::kDirectory ? "5" : "0");
  put_text(header, kMagic, std::string_view("ustar\0", 6));
  put_text(header, kVersion, "00");
  put_octal(header, kDevMajor, 0);
  put_octal(header, kDevMinor, 0);
  // The checksum is computed with its own field as spaces, then written as six octal digits,
  // a NUL and a space.
  put_text(header, kChecksum, "        ");
  unsigned sum = 0;
  for (std::byte b : header) sum += static_cast<unsigned>(b);
  put_octal(header, Field{kChecksum.offset, 7}, sum);
  header[kChecksum.offset + 7] = std::byte{' '};
  return header;
}

Bytes tar_zeros(std::size_t count) {
  return Bytes(kZeros.data(), std::min(count, kZeros.size()));
}

void TarWriter::emit(Bytes data) {
  sink_.write(data);
  position_ += static_cast<std::int64_t>(data.size());
}

void TarWriter::add_file(std::string_view name, std::string_view content) {
  begin_file(name, static_cast<std::int64_t>(content.size()));
  write_content(as_bytes(content.data(), content.size()));
  end_file();
}

void TarWriter::add_directory(std::string_view name) {
  TarHeader header = tar_header(name, 0, EntryType::kDirectory);
  emit(header);
}

void TarWriter::begin_file(std::string_view name, std::int64_t size) {
  TarHeader header = tar_header(name, size);
  emit(header);
  remaining_ = declared_ = size;
}

void TarWriter::write_content(Bytes data) {
  remaining_ -= static_cast<std::int64_t>(data.size());
  if (remaining_ < 0) throw Error(ErrorKind::kInternal, "tar entry longer than declared");
  emit(data);
}

void TarWriter::end_file() {
  if (remaining_ != 0) throw Error(ErrorKind::kInternal, "tar entry shorter than declared");
  emit(tar_zeros(static_cast<std::size_t>(tar_padding(declared_))));
}

void TarWriter::finish() {
  emit(tar_zeros(kTarTrailerSize));
  sink_.finish();
}

}  // namespace hocker::archive
