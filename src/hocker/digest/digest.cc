#include "hocker/digest/digest.h"

#include <openssl/evp.h>

#include "hocker/base/error.h"

namespace hocker::digest {
namespace {

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kShown = 80;
  std::string shown(text.substr(0, kShown));
  if (text.size() > kShown) shown += "...";
  return "\"" + shown + "\"";
}

const EVP_MD* evp_for(Algorithm algorithm) {
  return algorithm == Algorithm::kSha256 ? EVP_sha256() : EVP_sha512();
}

}  // namespace

std::optional<Digest> Digest::try_parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view name = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  if (!is_lower_hex(hex)) return std::nullopt;
  if (name == "sha256" && hex.size() == 64) return Digest(Algorithm::kSha256, std::string(hex));
  if (name == "sha512" && hex.size() == 128) return Digest(Algorithm::kSha512, std::string(hex));
  return std::nullopt;
}

Digest Digest::parse(std::string_view text) {
  if (auto digest = try_parse(text)) return *digest;
  throw Error(ErrorKind::kFormat,
              "invalid digest " + quote_for_message(text) +
                  ": expected sha256: and 64 lowercase hex digits (or sha512: and 128)");
}

Digest Digest::from_sha256_hex(std::string_view hex) {
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  if (hex.size() != 64 || !is_lower_hex(hex)) {
    throw Error(ErrorKind::kUsage, "invalid layer digest " + quote_for_message(hex) +
                                       ": expected 64 lowercase hex digits");
  }
  return Digest(Algorithm::kSha256, std::string(hex));
}

std::string_view Digest::algorithm_name() const {
  return algorithm_ == Algorithm::kSha256 ? "sha256" : "sha512";
}

std::string Digest::string() const {
  return std::string(algorithm_name()) + ":" + hex_;
}

std::string Digest::raw_bytes() const {
  std::string raw(hex_.size() / 2, '\0');
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    raw[i] = static_cast<char>(nibble(hex_[2 * i]) << 4 | nibble(hex_[2 * i + 1]));
  }
  return raw;
}

struct Hasher::State {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(context); }
};

Hasher::Hasher(Algorithm algorithm) : state_(std::make_unique<State>()), algorithm_(algorithm) {
  if (state_->context == nullptr ||
      EVP_DigestInit_ex(state_->context, evp_for(algorithm), nullptr) != 1) {
    throw Error(ErrorKind::kInternal, "cannot initialise the SHA hasher");
  }
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(Bytes data) {
  EVP_DigestUpdate(state_->context, data.data(), data.size());
}

void Hasher::update(std::string_view data) {
  update(as_bytes(data.data(), data.size()));
}

Digest Hasher::digest() {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->context, raw, &length);
  return Digest(algorithm_, to_hex(std::string_view(reinterpret_cast<char*>(raw), length)));
}

Hasher Hasher::clone() const {
  Hasher copy(algorithm_);
  EVP_MD_CTX_copy_ex(copy.state_->context, state_->context);
  return copy;
}

Digest sha256(std::string_view data) {
  Hasher hasher;
  hasher.update(data);
  return hasher.digest();
}

std::string to_hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

}  // namespace hocker::digest
