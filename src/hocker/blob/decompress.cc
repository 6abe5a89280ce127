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
  GzipInflater(std::string subject, GzipCrc crc) : subject_(std::move(subject)), crc_(crc) {}
  void feed(Bytes input, ChunkWriter& out) override;
  void end() override {
    if (phase_ != Phase::kBetween) {
      throw Error(ErrorKind::kIntegrity, subject_ + ": truncated gzip data");
    }
  }

 private:
  // A member is header → deflate body → 8-byte trailer (CRC-32, ISIZE). The header is read
  // with isal_read_gzip_header (ISA-L's all-in-one ISAL_GZIP mode rejects valid members that
  // carry a header CRC, as zlib writes them). With GzipCrc::kVerify ISA-L then inflates and
  // checks the trailer itself; with kSkip the body is inflated raw (no CRC-32 pass over the
  // output) and the trailer's ISIZE checked here.
  enum class Phase { kBetween, kHeader, kBody, kTrailer };

  // isal_inflate_init clears the input fields; a new member may start mid-buffer.
  void start_member() {
    std::uint8_t* next_in = state_.next_in;
    std::uint32_t avail_in = state_.avail_in;
    isal_inflate_init(&state_);
    state_.next_in = next_in;
    state_.avail_in = avail_in;
    isal_gzip_header_init(&header_);  // NULL buffers: name, extra and comment are skipped.
    phase_ = Phase::kHeader;
  }
  bool read_header();
  void read_trailer();
  void fail(const std::string& what, int status) const {
    throw Error(ErrorKind::kIntegrity,
                subject_ + ": " + what + " (ISA-L status " + std::to_string(status) + ")");
  }

  std::string subject_;
  GzipCrc crc_;
  inflate_state state_{};
  isal_gzip_header header_{};
  Phase phase_ = Phase::kBetween;
  std::array<std::uint8_t, 8> trailer_{};
  std::size_t trailer_size_ = 0;
};

// False while the header is still incomplete (all input taken; ISA-L keeps its place).
bool GzipInflater::read_header() {
  int status = isal_read_gzip_header(&state_, &header_);
  if (status == ISAL_END_INPUT) return false;
  if (status != ISAL_DECOMP_OK) fail("corrupt gzip header", status);
  // ISAL_GZIP_NO_HDR_VER: the CRC-32 and length after the body are checked by ISA-L.
  state_.crc_flag = crc_ == GzipCrc::kVerify ? ISAL_GZIP_NO_HDR_VER : ISAL_DEFLATE;
  phase_ = Phase::kBody;
  return true;
}

void GzipInflater::read_trailer() {
  if (state_.read_in_length > 0) {
    // Raw inflate reads ahead into a 64-bit bit buffer and keeps what it did not use: the
    // trailer starts at the byte boundary after the last block, possibly inside that buffer.
    int padding = state_.read_in_length % 8;
    state_.read_in >>= padding;
    state_.read_in_length -= padding;
    while (state_.read_in_length >= 8 && trailer_size_ < trailer_.size()) {
      trailer_[trailer_size_++] = static_cast<std::uint8_t>(state_.read_in & 0xff);
      state_.read_in >>= 8;
      state_.read_in_length -= 8;
    }
    if (state_.read_in_length != 0) {
      throw Error(ErrorKind::kInternal, subject_ + ": gzip trailer misread");
    }
  }
  std::size_t take = std::min<std::size_t>(state_.avail_in, trailer_.size() - trailer_size_);
  std::memcpy(trailer_.data() + trailer_size_, state_.next_in, take);
  trailer_size_ += take;
  state_.next_in += take;
  state_.avail_in -= static_cast<std::uint32_t>(take);
  if (trailer_size_ < trailer_.size()) return;
  std::uint32_t isize = 0;
  for (std::size_t i = 0; i < 4; ++i) isize |= std::uint32_t{trailer_[4 + i]} << (8 * i);
  if (isize != state_.total_out) {
    throw Error(ErrorKind::kIntegrity, subject_ + ": gzip length mismatch (trailer says " +
                                           std::to_string(isize) + " bytes, inflated " +
                                           std::to_string(state_.total_out) + ")");
  }
  trailer_size_ = 0;
  phase_ = Phase::kBetween;
}

void GzipInflater::feed(Bytes input, ChunkWriter& out) {
  state_.next_in = const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(input.data()));
  state_.avail_in = static_cast<std::uint32_t>(input.size());
  for (;;) {
    switch (phase_) {
      case Phase::kBetween:
        // RFC 1952 §2.2: a gzip file is a series of members; another one may follow.
        if (state_.avail_in == 0) return;
        start_member();
        continue;
      case Phase::kHeader:
        if (!read_header()) return;
        continue;
      case Phase::kTrailer:
        read_trailer();
        if (phase_ == Phase::kTrailer) return;  // Needs more input.
        continue;
      case Phase::kBody:
        break;
    }
    std::span<std::byte> space = out.space();
    state_.next_out = reinterpret_cast<std::uint8_t*>(space.data());
    state_.avail_out = static_cast<std::uint32_t>(space.size());
    int status = isal_inflate(&state_);
    out.produced(space.size() - state_.avail_out);
    if (status < 0) fail("corrupt gzip data", status);
    if (state_.block_state == ISAL_BLOCK_FINISH) {
      phase_ = crc_ == GzipCrc::kVerify ? Phase::kBetween : Phase::kTrailer;
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
  Decompressor(std::string subject, ByteSink& next, GzipCrc crc)
      : subject_(std::move(subject)), crc_(crc), out_(next) {}
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
  GzipCrc crc_;
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
    codec_ = std::make_unique<GzipInflater>(subject_, crc_);
  } else if (byte_at(0) == 0x28 && byte_at(1) == 0xb5 && byte_at(2) == 0x2f && byte_at(3) == 0xfd) {
    codec_ = std::make_unique<ZstdInflater>(subject_);
  } else {
    codec_ = std::make_unique<Passthrough>();
  }
  feed(Bytes(magic_.data(), magic_size_));
}

}  // namespace

std::unique_ptr<ByteSink> make_decompressor(std::string subject, ByteSink& next, GzipCrc crc) {
  return std::make_unique<Decompressor>(std::move(subject), next, crc);
}

}  // namespace hocker::blob
