// write_rootfs_tar: the flattened entries as a pax tar (libarchive's restricted pax: a ustar
// header, plus a pax extended header only for what ustar cannot hold: long or non-ASCII names,
// large ids and sizes, sub-second times, xattrs).
#include <archive.h>
#include <archive_entry.h>

#include <exception>

#include "hocker/base/error.h"
#include "hocker/rootfs/flatten.h"
#include "hocker/rootfs/layer_reader.h"
#include "hocker/rootfs/locale_scope.h"

namespace hocker::rootfs {
namespace {

class TarOutput final : public EntryConsumer {
 public:
  explicit TarOutput(ByteSink& sink) : sink_(sink), archive_(archive_write_new()) {
    if (archive_ == nullptr) throw Error(ErrorKind::kInternal, "libarchive: out of memory");
    archive_write_set_format_pax_restricted(archive_);
    // xattrs as SCHILY.xattr.* only, as docker, Go's archive/tar and GNU tar write them (not
    // also as LIBARCHIVE.xattr.*, which readers that know both would count twice).
    check(archive_write_set_format_option(archive_, "pax", "xattrheader", "SCHILY"));
    archive_write_set_bytes_per_block(archive_, static_cast<int>(kBlock));
    archive_write_set_bytes_in_last_block(archive_, 1);  // no padding after the trailer
    check(archive_write_open2(archive_, this, nullptr, write_callback, nullptr, nullptr));
  }
  ~TarOutput() override { archive_write_free(archive_); }
  TarOutput(const TarOutput&) = delete;
  TarOutput& operator=(const TarOutput&) = delete;

  void add(archive_entry* entry, LayerReader* data) override {
    check(archive_write_header(archive_, entry));
    if (data == nullptr) return;
    data->read_data([&](Bytes chunk) {
      la_ssize_t written = archive_write_data(archive_, chunk.data(), chunk.size());
      if (written < 0) check(static_cast<int>(written));
    });
  }
  void finish() override {
    check(archive_write_close(archive_));
    sink_.finish();
  }

 private:
  static constexpr std::size_t kBlock = std::size_t{64} * 1024;

  static la_ssize_t write_callback(struct archive*, void* self, const void* buffer,
                                   std::size_t length) {
    auto* output = static_cast<TarOutput*>(self);
    try {
      output->sink_.write(as_bytes(static_cast<const char*>(buffer), length));
      return static_cast<la_ssize_t>(length);
    } catch (...) {
      output->failure_ = std::current_exception();
      return -1;
    }
  }

  void check(int status) {
    if (status >= ARCHIVE_WARN) return;
    if (failure_) std::rethrow_exception(failure_);
    const char* detail = archive_error_string(archive_);
    throw Error(ErrorKind::kInternal,
                std::string("cannot write the tar: ") + (detail != nullptr ? detail : "unknown"));
  }

  ByteSink& sink_;
  archive* archive_;
  std::exception_ptr failure_;
};

}  // namespace

void write_rootfs_tar(std::span<const LayerFile> layers, ByteSink& sink) {
  LocaleScope utf8;
  TarOutput output(sink);
  flatten(layers, output);
}

}  // namespace hocker::rootfs
