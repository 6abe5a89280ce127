// Fuzzes the gzip reader of blob::make_decompressor in both CRC modes, fed in small slices so
// that headers, bodies and trailers are split at every point. Error(kIntegrity) is the expected
// outcome for a malformed stream; any other exception or sanitizer report is a finding, and so
// is a stream that the checking mode (GzipCrc::kVerify) accepts while the skipping one
// (kSkip) rejects it or inflates it differently.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "hocker/base/error.h"
#include "hocker/blob/sinks.h"

namespace {

using hocker::Bytes;
using hocker::ByteSink;

constexpr std::size_t kMaxOutput = std::size_t{4} << 20;  // Bombs stop here, in both modes.

struct TooLarge {};

class CappedSink final : public ByteSink {
 public:
  void write(Bytes data) override {
    if (text.size() + data.size() > kMaxOutput) throw TooLarge{};
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void finish() override {}
  std::string text;
};

// The inflated bytes, or nothing when the stream was rejected (or too large to compare).
std::optional<std::string> inflate(Bytes input, std::size_t slice, hocker::blob::GzipCrc crc,
                                   bool& too_large) {
  CappedSink sink;
  try {
    auto decompressor = hocker::blob::make_decompressor("fuzz", sink, crc);
    for (std::size_t at = 0; at < input.size(); at += slice) {
      decompressor->write(input.subspan(at, std::min(slice, input.size() - at)));
    }
    decompressor->finish();
  } catch (const hocker::Error& error) {
    if (error.kind() != hocker::ErrorKind::kIntegrity) std::abort();
    return std::nullopt;
  } catch (const TooLarge&) {
    too_large = true;
    return std::nullopt;
  }
  return sink.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t slice = 1 + data[0] % 64;
  // Always gzip: the magic is given, the fuzzer writes everything after it.
  std::string stream = "\x1f\x8b";
  stream.append(reinterpret_cast<const char*>(data + 1), size - 1);
  Bytes input = hocker::as_bytes(stream.data(), stream.size());
  bool too_large = false;
  std::optional<std::string> checked =
      inflate(input, slice, hocker::blob::GzipCrc::kVerify, too_large);
  std::optional<std::string> skipped =
      inflate(input, slice, hocker::blob::GzipCrc::kSkip, too_large);
  if (checked && (!skipped || *skipped != *checked) && !too_large) std::abort();
  return 0;
}
