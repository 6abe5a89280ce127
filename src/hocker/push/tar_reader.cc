// TarReader over libarchive: the outer compression is sniffed by libarchive's own filters
// (gzip, zstd, none), the format by its tar reader (ustar, pax, GNU).
#include "hocker/push/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hocker/base/error.h"

namespace hocker::push {

namespace {

constexpr std::size_t kReadBlock = kChunkSize;

std::string normalised(std::string name) {
  while (name.starts_with("./")) name.erase(0, 2);
  while (name.size() > 1 && name.ends_with('/')) name.pop_back();
  return name;
}

}  // namespace

std::string member_name_problem(const std::string& name) {
  if (name.empty()) return "empty member name";
  if (name.starts_with('/')) return "absolute path";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0 && end - start == 2) return "'..' component";
    start = end + 1;
  }
  return "";
}

struct TarReader::Impl {
  int fd = -1;
  std::string what;
  struct archive* archive = nullptr;
  std::vector<char> input = std::vector<char>(kReadBlock);   // What on_read fills.
  std::vector<char> buffer = std::vector<char>(kReadBlock);  // Member content handed out.
  std::string current;
  bool seekable = false;

  [[noreturn]] void fail(const std::string& doing) const {
    int number = archive_errno(archive);
    const char* text = archive_error_string(archive);
    ErrorKind kind = number == EIO || number == ENOSPC ? ErrorKind::kLocalIo : ErrorKind::kFormat;
    throw Error(
        kind, what + ": " + doing + ": " + (text != nullptr ? text : "not a readable tar archive"));
  }

  // Skipping by lseek: a member another worker pushes costs no read on an uncompressed file.
  // libarchive reads instead when this returns 0 (a pipe, or a compressed archive).
  static la_int64_t on_skip(struct archive*, void* data, la_int64_t request) {
    auto* self = static_cast<Impl*>(data);
    if (!self->seekable || request <= 0) return 0;
    if (::lseek(self->fd, request, SEEK_CUR) < 0) return 0;
    return request;
  }

  static la_ssize_t on_read(struct archive* archive, void* data, const void** block) {
    auto* self = static_cast<Impl*>(data);
    for (;;) {
      ssize_t count = ::read(self->fd, self->input.data(), self->input.size());
      if (count >= 0) {
        *block = self->input.data();
        return count;
      }
      if (errno != EINTR) {
        archive_set_error(archive, EIO, "read failed: %s", strerror(errno));
        return -1;
      }
    }
  }
};

TarReader::TarReader(int fd, std::string what) : impl_(std::make_unique<Impl>()) {
  impl_->fd = fd;
  impl_->what = std::move(what);
  impl_->seekable = ::lseek(fd, 0, SEEK_CUR) >= 0;
  impl_->archive = archive_read_new();
  if (impl_->archive == nullptr) throw Error(ErrorKind::kInternal, "cannot create a tar reader");
  archive_read_support_filter_gzip(impl_->archive);
  archive_read_support_filter_zstd(impl_->archive);
  archive_read_support_format_tar(impl_->archive);
  archive_read_support_format_gnutar(impl_->archive);
  if (archive_read_open2(impl_->archive, impl_.get(), nullptr, &Impl::on_read, &Impl::on_skip,
                         nullptr) != ARCHIVE_OK) {
    try {  // No destructor runs for a constructor that throws: free the reader here.
      impl_->fail("cannot open");
    } catch (...) {
      archive_read_free(impl_->archive);
      impl_->archive = nullptr;
      throw;
    }
  }
}

TarReader::~TarReader() {
  archive_read_free(impl_->archive);
}

std::optional<TarMember> TarReader::next() {
  struct archive_entry* entry = nullptr;
  int status = archive_read_next_header(impl_->archive, &entry);
  if (status == ARCHIVE_EOF) return std::nullopt;
  if (status != ARCHIVE_OK && status != ARCHIVE_WARN) impl_->fail("cannot read a member header");
  const char* raw_name = archive_entry_pathname(entry);
  std::string name = raw_name != nullptr ? raw_name : "";
  if (std::string problem = member_name_problem(name); !problem.empty()) {
    throw Error(ErrorKind::kFormat, impl_->what + ": member '" + name + "' refused: " + problem);
  }
  impl_->current = normalised(name);
  TarMember member;
  member.name = impl_->current;
  member.size = archive_entry_size(entry);
  member.is_file = archive_entry_filetype(entry) == AE_IFREG;
  return member;
}

void TarReader::read(ByteSink& sink) {
  for (;;) {
    la_ssize_t count =
        archive_read_data(impl_->archive, impl_->buffer.data(), impl_->buffer.size());
    if (count < 0) impl_->fail("cannot read member '" + impl_->current + "'");
    if (count == 0) return;
    sink.write(as_bytes(impl_->buffer.data(), static_cast<std::size_t>(count)));
  }
}

std::string TarReader::read_small(std::size_t max_size, const std::string& what) {
  std::string content;
  for (;;) {
    la_ssize_t count =
        archive_read_data(impl_->archive, impl_->buffer.data(), impl_->buffer.size());
    if (count < 0) impl_->fail("cannot read member '" + impl_->current + "'");
    if (count == 0) return content;
    if (content.size() + static_cast<std::size_t>(count) > max_size) {
      throw Error(ErrorKind::kFormat, impl_->what + ": " + what + " '" + impl_->current +
                                          "' is larger than " + std::to_string(max_size) +
                                          " bytes");
    }
    content.append(impl_->buffer.data(), static_cast<std::size_t>(count));
  }
}

}  // namespace hocker::push
