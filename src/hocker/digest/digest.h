// Content digests (`sha256:<64 hex>`, `sha512:<128 hex>`): validated values and incremental
// hashing on OpenSSL's EVP interface. Only this module sees OpenSSL.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hocker/base/byte_sink.h"

namespace hocker::digest {

enum class Algorithm { kSha256, kSha512 };

/// A validated digest: a known algorithm and lowercase hex of the right length. Because the
/// hex is validated, it is safe to use as a file name.
class Digest {
 public:
  /// Parses `algorithm:hex`. Throws Error(kFormat) naming the input when it is not a sha256
  /// digest of 64 lowercase hex characters or a sha512 digest of 128.
  static Digest parse(std::string_view text);
  /// Like parse() but returns nullopt instead of throwing.
  static std::optional<Digest> try_parse(std::string_view text);
  /// A sha256 digest from bare hex, accepting also the `sha256:` prefixed form (as the
  /// classic --layer flag does). Throws Error(kUsage) when malformed.
  static Digest from_sha256_hex(std::string_view hex);

  Algorithm algorithm() const { return algorithm_; }
  /// "sha256" or "sha512".
  std::string_view algorithm_name() const;
  const std::string& hex() const { return hex_; }
  /// `algorithm:hex`.
  std::string string() const;
  /// The first `n` hex characters, as the classic progress lines show.
  std::string short_hex(std::size_t n = 7) const { return hex_.substr(0, n); }
  /// The raw digest bytes (32 or 64).
  std::string raw_bytes() const;

  auto operator<=>(const Digest&) const = default;

 private:
  friend class Hasher;
  Digest(Algorithm algorithm, std::string hex) : algorithm_(algorithm), hex_(std::move(hex)) {}
  Algorithm algorithm_;
  std::string hex_;
};

/// Incremental hashing. Feed with update(), then finish() once.
class Hasher final : public ByteSink {
 public:
  explicit Hasher(Algorithm algorithm = Algorithm::kSha256);
  ~Hasher() override;
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;

  void update(Bytes data);
  void update(std::string_view data);
  void write(Bytes data) override { update(data); }
  void finish() override {}
  /// The digest of everything fed so far; the hasher may not be fed afterwards.
  Digest digest();
  /// A copy of the running state, e.g. to resume a download while keeping the hash.
  Hasher clone() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  Algorithm algorithm_;
};

/// The sha256 digest of `data`.
Digest sha256(std::string_view data);

/// Hex of raw bytes, lowercase.
std::string to_hex(std::string_view raw);

}  // namespace hocker::digest
