// make_decompressor: sniffs the first bytes, then inflates gzip with ISA-L (about twice
// zlib's speed), zstd with libzstd, or passes the bytes through.
#include <isa-l.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "hocker/base/error.h"
#include "hocker/blob/chunk_writer.h"
#include "hocker/blob/sinks.h"

namespace hocker::blob {
namespace {

// The largest input slice handed to a library at once: their lengths are 32-bit.
constexpr std::size_t kMaxSlice = std::size_t{1} << 30;

class Codec {
 public:
  virtual ~Codec() = default;
  virtual void feed(Bytes input, ChunkWriter& out) = 0;
  /// Throws when the stream stopped in the middle of a member or frame.
  virtual void end() = 0;
};

class Passthrough final : public Codec {
 public:
  void feed(Bytes input, ChunkWriter& out) override { out.append(input); }
  void end() override {}
};

class GzipInflater final : public Codec {
 public:
  explicit GzipInflater(std::string subject) : subject_(std::move(subject)) {}
  void feed(Bytes input, ChunkWriter& out) override;
  void end() override {
    if (in_member_) throw Error(ErrorKind::kIntegrity, subject_ + ": truncated gzip data");
  }

 private:
  // isal_inflate_init clears the input fields; a new member may start mid-buffer.
  void start_member() {
    std::uint8_t* next_in = state_.next_in;
    std::uint32_t avail_in = state_.avail_in;
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;  // Parse the header, verify CRC32 and ISIZE.
    state_.next_in = next_in;
    state_.avail_in = avail_in;
    in_member_ = true;
  }

  std::string subject_;
  inflate_state state_{};
  bool in_member_ = false;
};

void GzipInflater::feed(Bytes input, ChunkWriter& out) {
  state_.next_in = const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(input.data()));
  state_.avail_in = static_cast<std::uint32_t>(input.size());
  for (;;) {
    if (!in_member_) {
      // RFC 1952 §2.2: a gzip file is a series of members; another one may follow.
      if (state_.avail_in == 0) return;
      start_member();
    }
    std::span<std::byte> space = out.space();
    state_.next_out = reinterpret_cast<std::uint8_t*>(space.data());
    state_.avail_out = static_cast<std::uint32_t>(space.size());
    int status = isal_inflate(&state_);
    out.produced(space.size() - state_.avail_out);
    if (status < 0) {
      throw Error(ErrorKind::kIntegrity,
                  subject_ + ": corrupt gzip data (ISA-L status " + std::to_string(status) + ")");
    }
    if (state_.block_state == ISAL_BLOCK_FINISH) {
      in_member_ = false;
    } else if (state_.avail_in == 0 && state_.avail_out > 0) {
      return;  // All input consumed and all output flushed: wait for more.
    }
  }
}

class ZstdInflater final : public Codec {
 public:
  explicit ZstdInflater(std::string subject)
      : subject_(std::move(subject)), context_(ZSTD_createDCtx()) {
    if (context_ == nullptr) throw Error(ErrorKind::kInternal, "cannot allocate a zstd context");
  }
  ~ZstdInflater() override { ZSTD_freeDCtx(context_); }
  ZstdInflater(const ZstdInflater&) = delete;
  ZstdInflater& operator=(const ZstdInflater&) = delete;
  void feed(Bytes input, ChunkWriter& out) override;
  void end() override {
    if (pending_ != 0) throw Error(ErrorKind::kIntegrity, subject_ + ": truncated zstd data");
  }

 private:
  std::string subject_;
  ZSTD_DCtx* context_;
  std::size_t pending_ = 0;  // ZSTD_decompressStream's last hint: 0 when a frame just ended.
};

void ZstdInflater::feed(Bytes input, ChunkWriter& out) {
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    std::span<std::byte> space = out.space();
    ZSTD_outBuffer output{space.data(), space.size(), 0};
    std::size_t result = ZSTD_decompressStream(context_, &output, &in);
    out.produced(output.pos);
    if (ZSTD_isError(result)) {
      throw Error(ErrorKind::kIntegrity,
                  subject_ + ": corrupt zstd data (" + ZSTD_getErrorName(result) + ")");
    }
    pending_ = result;
    // Done when all input is in and all output out: either the output had room left, or the
    // frame just ended (0) — calling again then would start reading a next frame's header.
    if (in.pos == in.size && (output.pos < output.size || result == 0)) return;
  }
}

class Decompressor final : public ByteSink {
 public:
  Decompressor(std::string subject, ByteSink& next) : subject_(std::move(subject)), out_(next) {}
  void write(Bytes data) override;
  void finish() override;

 private:
  void choose_codec();
  void feed(Bytes data) {
    while (!data.empty()) {
      std::size_t slice = std::min(data.size(), kMaxSlice);
      codec_->feed(data.first(slice), out_);
      data = data.subspan(slice);
    }
  }

  std::string subject_;
  ChunkWriter out_;
  std::unique_ptr<Codec> codec_;
  std::array<std::byte, 4> magic_{};
  std::size_t magic_size_ = 0;
};

void Decompressor::write(Bytes data) {
  if (!codec_) {
    std::size_t take = std::min(data.size(), magic_.size() - magic_size_);
    std::memcpy(magic_.data() + magic_size_, data.data(), take);
    magic_size_ += take;
    data = data.subspan(take);
    if (magic_size_ < magic_.size()) return;
    choose_codec();
  }
  feed(data);
}

void Decompressor::finish() {
  if (!codec_) choose_codec();
  codec_->end();
  out_.flush();
  out_.next().finish();
}

void Decompressor::choose_codec() {
  auto byte_at = [this](std::size_t i) {
    return i < magic_size_ ? static_cast<unsigned>(magic_[i]) : 0x100U;
  };
  if (byte_at(0) == 0x1f && byte_at(1) == 0x8b) {
    codec_ = std::make_unique<GzipInflater>(subject_);
  } else if (byte_at(0) == 0x28 && byte_at(1) == 0xb5 && byte_at(2) == 0x2f && byte_at(3) == 0xfd) {
    codec_ = std::make_unique<ZstdInflater>(subject_);
  } else {
    codec_ = std::make_unique<Passthrough>();
  }
  feed(Bytes(magic_.data(), magic_size_));
}

}  // namespace

std::unique_ptr<ByteSink> make_decompressor(std::string subject, ByteSink& next) {
  return std::make_unique<Decompressor>(std::move(subject), next);
}

}  // namespace hocker::blob
