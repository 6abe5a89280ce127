// A layer on its way to a registry: the bytes of an archive member are sniffed (gzip, zstd or a
// plain tar), hashed both as the tar (the diff_id) and as the blob the registry stores (the
// digest), and a plain tar is compressed on the way, deterministically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hocker/base/byte_sink.h"
#include "hocker/digest/digest.h"

namespace hocker::push {

/// How a layer's bytes are (or are to be) compressed.
enum class Compression { kNone, kGzip, kZstd };

/// The fixed parameters of the compressors, which decide the bytes (and so the digests) of the
/// layers we compress. gzip: blocks of kGzipBlockSize bytes deflated by zlib at kGzipLevel, each
/// with the 32 KiB before it as dictionary, joined into one member (blob/parallel_gzip.h).
/// zstd: libzstd at kZstdLevel, one frame, checksum on, multi-threaded (1 to 4 workers, the same
/// bytes for any count). Neither depends on the thread count.
inline constexpr int kGzipLevel = 1;
inline constexpr std::size_t kGzipBlockSize = std::size_t{256} * 1024;
inline constexpr int kZstdLevel = 3;

/// The gzip compression threads of one layer: the machine's hardware threads, 1 to 4.
unsigned compression_threads();

/// "gzip", "zstd", "none".
std::string_view compression_name(Compression compression);

/// The compression `bytes` (the first bytes of a stream) starts with, from the magic numbers.
Compression sniff_compression(Bytes bytes);

/// What a layer became.
struct EncodedLayer {
  digest::Digest digest;                         ///< sha256 of the blob as the registry stores it.
  digest::Digest diff_id;                        ///< sha256 of the uncompressed tar.
  std::int64_t size = 0;                         ///< Bytes of the blob.
  Compression compression = Compression::kNone;  ///< The blob's compression.
  bool compressed_here = false;                  ///< Whether we compressed a plain tar.
};

/// A sink taking a layer's bytes as they come from the archive. Already-compressed bytes go to
/// `blob` unchanged (and are decompressed only to hash the diff_id); a plain tar is compressed
/// with `target` (kNone: left plain) into `blob`. finish() finishes `blob`. A corrupt compressed
/// stream throws Error(kIntegrity) naming `subject`.
class LayerEncoder final : public ByteSink {
 public:
  LayerEncoder(std::string subject, Compression target, ByteSink& blob);
  ~LayerEncoder() override;
  LayerEncoder(const LayerEncoder&) = delete;
  LayerEncoder& operator=(const LayerEncoder&) = delete;

  void write(Bytes data) override;
  void finish() override;
  /// The result; valid after finish().
  const EncodedLayer& result() const { return *result_; }

 private:
  void start(Bytes first);
  struct Chain;
  std::string subject_;
  Compression target_;
  ByteSink& blob_;
  std::string head_;  // The first bytes, held until there are enough to sniff.
  std::unique_ptr<Chain> chain_;
  Compression compression_ = Compression::kNone;
  bool compressed_here_ = false;
  std::optional<EncodedLayer> result_;
};

}  // namespace hocker::push
