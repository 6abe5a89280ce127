#include "hocker/rootfs/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hocker/base/error.h"

namespace hocker::rootfs {

// pread from an offset of our own, so that the same descriptor can be read twice (pass 1 and
// pass 2 of the flattener) and by nobody's file position.
struct LayerReader::Input {
  int fd = -1;
  std::int64_t offset = 0;
  std::int64_t size = 0;
  std::vector<char> buffer = std::vector<char>(kChunkSize);  // compressed bytes read
  std::vector<char> data;                                    // an entry's data, for read_data
  int error_number = 0;
};

namespace {

la_ssize_t read_callback(struct archive* archive, void* data, const void** buffer) {
  auto* input = static_cast<LayerReader::Input*>(data);
  for (;;) {
    ssize_t count = ::pread(input->fd, input->buffer.data(), input->buffer.size(), input->offset);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      input->error_number = errno;
      archive_set_error(archive, errno, "read failed");
      return -1;
    }
    input->offset += count;
    *buffer = input->buffer.data();
    return count;
  }
}

// Skipping is only a seek here; libarchive uses it for uncompressed layers, so that pass 1
// reads headers without reading the data between them.
la_int64_t skip_callback(struct archive*, void* data, la_int64_t request) {
  auto* input = static_cast<LayerReader::Input*>(data);
  la_int64_t step = std::min<la_int64_t>(request, input->size - input->offset);
  if (step < 0) step = 0;
  input->offset += step;
  return step;
}

}  // namespace

LayerReader::LayerReader(const LayerFile& layer)
    : layer_(layer), input_(std::make_unique<Input>()) {
  input_->fd = layer.fd;
  struct stat status {};
  if (::fstat(layer.fd, &status) != 0) {
    throw Error(ErrorKind::kLocalIo, layer.name + ": cannot read: " + std::strerror(errno));
  }
  input_->size = status.st_size;
  archive_ = archive_read_new();
  if (archive_ == nullptr) throw Error(ErrorKind::kInternal, "libarchive: out of memory");
  archive_read_support_filter_gzip(archive_);
  archive_read_support_filter_zstd(archive_);
  archive_read_support_format_tar(archive_);
  archive_read_support_format_empty(archive_);  // a layer of zero bytes: no change
  archive_read_set_read_callback(archive_, read_callback);
  archive_read_set_skip_callback(archive_, skip_callback);
  archive_read_set_callback_data(archive_, input_.get());
  if (archive_read_open1(archive_) != ARCHIVE_OK) {
    try {  // No destructor runs for a constructor that throws: free the reader here.
      fail("not a valid tar");
    } catch (...) {
      archive_read_free(archive_);
      archive_ = nullptr;
      throw;
    }
  }
}

LayerReader::~LayerReader() {
  archive_read_free(archive_);
}

void LayerReader::fail(const char* doing) {
  if (input_->error_number != 0) {
    throw Error(ErrorKind::kLocalIo,
                layer_.name + ": cannot read: " + std::strerror(input_->error_number));
  }
  const char* detail = archive_error_string(archive_);
  std::string message = layer_.name + ": " + doing;
  if (ordinal_ >= 0) message += " (after entry " + std::to_string(ordinal_ + 1) + ")";
  if (detail != nullptr) message += ": " + std::string(detail);
  throw Error(ErrorKind::kFormat, message);
}

archive_entry* LayerReader::next() {
  archive_entry* entry = nullptr;
  int status = archive_read_next_header(archive_, &entry);
  if (status == ARCHIVE_EOF) return nullptr;
  if (status < ARCHIVE_WARN) fail("not a valid tar");
  ++ordinal_;
  return entry;
}

void LayerReader::read_data(const std::function<void(Bytes)>& chunk) {
  std::vector<char>& buffer = input_->data;  // one buffer per pass, not one per entry
  if (buffer.empty()) buffer.resize(kChunkSize);
  for (;;) {
    la_ssize_t count = archive_read_data(archive_, buffer.data(), buffer.size());
    if (count == 0) return;
    if (count < 0) fail("cannot read an entry's data");
    chunk(as_bytes(buffer.data(), static_cast<std::size_t>(count)));
  }
}

}  // namespace hocker::rootfs
