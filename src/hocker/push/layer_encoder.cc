// The two shapes of the LayerEncoder chain:
//   compressed member: member → blob digest tee → blob sink
//                                 └─ decompressor → diff_id hasher
//   plain tar member:  member → diff_id tee → compressor → blob digest tee → blob sink
#include "hocker/push/layer_encoder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <thread>

#include "hocker/base/tee_sink.h"
#include "hocker/blob/parallel_gzip.h"
#include "hocker/blob/sinks.h"

namespace hocker::push {

namespace {

constexpr std::size_t kSniffBytes = 4;
constexpr std::array<unsigned char, 2> kGzipMagic = {0x1f, 0x8b};
constexpr std::array<unsigned char, 4> kZstdMagic = {0x28, 0xb5, 0x2f, 0xfd};

template <std::size_t N>
bool starts_with(Bytes bytes, const std::array<unsigned char, N>& magic) {
  return bytes.size() >= N && std::memcmp(bytes.data(), magic.data(), N) == 0;
}

}  // namespace

unsigned compression_threads() {
  return std::clamp(std::thread::hardware_concurrency(), 1U, 4U);
}

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kNone:
      break;
  }
  return "none";
}

Compression sniff_compression(Bytes bytes) {
  if (starts_with(bytes, kGzipMagic)) return Compression::kGzip;
  if (starts_with(bytes, kZstdMagic)) return Compression::kZstd;
  return Compression::kNone;
}

struct LayerEncoder::Chain {
  explicit Chain(ByteSink& blob) : blob_tee(blob) {}
  blob::DigestTee blob_tee;
  blob::NullSink discard;
  std::unique_ptr<blob::DigestTee> diff_tee;
  std::unique_ptr<ByteSink> codec;  // The decompressor or the compressor.
  std::unique_ptr<TeeSink> split;   // Compressed members: blob and decompressor side by side.
  ByteSink* entry = nullptr;
};

LayerEncoder::LayerEncoder(std::string subject, Compression target, ByteSink& blob)
    : subject_(std::move(subject)), target_(target), blob_(blob) {}

LayerEncoder::~LayerEncoder() = default;

void LayerEncoder::start(Bytes first) {
  chain_ = std::make_unique<Chain>(blob_);
  Chain& chain = *chain_;
  Compression source = sniff_compression(first);
  if (source != Compression::kNone) {
    chain.diff_tee = std::make_unique<blob::DigestTee>(chain.discard);
    chain.codec = blob::make_decompressor(subject_, *chain.diff_tee);
    chain.split = std::make_unique<TeeSink>(chain.blob_tee, *chain.codec);
    chain.entry = chain.split.get();
    compression_ = source;
    return;
  }
  ByteSink* after_diff = &chain.blob_tee;
  if (target_ == Compression::kGzip) {
    chain.codec = blob::make_parallel_gzip_compressor(
        chain.blob_tee, {kGzipLevel, kGzipBlockSize, compression_threads()});
  } else if (target_ == Compression::kZstd) {
    chain.codec = blob::make_zstd_compressor(chain.blob_tee, kZstdLevel,
                                             static_cast<int>(compression_threads()));
  }
  if (chain.codec) after_diff = chain.codec.get();
  chain.diff_tee = std::make_unique<blob::DigestTee>(*after_diff);
  chain.entry = chain.diff_tee.get();
  compression_ = target_;
  compressed_here_ = target_ != Compression::kNone;
}

void LayerEncoder::write(Bytes data) {
  if (!chain_) {
    if (head_.size() + data.size() < kSniffBytes) {
      head_.append(reinterpret_cast<const char*>(data.data()), data.size());
      return;
    }
    std::string first = head_;
    head_.clear();
    first.append(reinterpret_cast<const char*>(data.data()), data.size());
    start(as_bytes(first.data(), first.size()));
    chain_->entry->write(as_bytes(first.data(), first.size()));
    return;
  }
  chain_->entry->write(data);
}

void LayerEncoder::finish() {
  if (!chain_) {
    std::string first = head_;
    start(as_bytes(first.data(), first.size()));
    if (!first.empty()) chain_->entry->write(as_bytes(first.data(), first.size()));
  }
  chain_->entry->finish();
  result_ = EncodedLayer{chain_->blob_tee.digest(), chain_->diff_tee->digest(),
                         chain_->blob_tee.bytes(), compression_, compressed_here_};
}

}  // namespace hocker::push
