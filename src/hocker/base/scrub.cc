#include "hocker/base/scrub.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <set>
#include <vector>

#include "hocker/base/base64.h"
#include "hocker/base/text.h"

namespace hocker {
namespace {

struct Registry {
  std::mutex mutex;
  std::set<std::string> values;  // Every form of every secret, lowercased.
};

Registry& registry() {
  static Registry instance;
  return instance;
}

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Whether the match of `length` bytes at `at` stands alone: no letter or digit touches it.
bool stands_alone(const std::string& text, std::size_t at, std::size_t length) {
  return (at == 0 || !is_word(text[at - 1])) &&
         (at + length == text.size() || !is_word(text[at + length]));
}

// Case-insensitive: a server may change the case of what it echoes (a scheme name, hex
// digits); masking a little more than needed costs nothing. A short secret is masked only
// where it stands alone: masking every "pw" inside "password" would garble the message
// while hiding nothing. `lower` mirrors `text`.
void mask(std::string& text, std::string& lower, const std::string& secret_lower) {
  constexpr std::size_t kMaskedAnywhere = 8;
  for (std::size_t at = 0; (at = lower.find(secret_lower, at)) != std::string::npos;) {
    if (secret_lower.size() < kMaskedAnywhere && !stands_alone(lower, at, secret_lower.size())) {
      ++at;
      continue;
    }
    text.replace(at, secret_lower.size(), "***");
    lower.replace(at, secret_lower.size(), "***");
    at += 3;
  }
}

}  // namespace

void register_secret(std::string_view value) {
  if (value.empty()) return;
  Registry& secrets = registry();
  std::lock_guard lock(secrets.mutex);
  secrets.values.insert(ascii_lowercase(value));
  std::string encoded = base64_encode(value);
  secrets.values.insert(ascii_lowercase(encoded));
  // Echoed without its padding, the base64 form must not slip through either.
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  secrets.values.insert(ascii_lowercase(encoded));
  secrets.values.insert(ascii_lowercase(percent_encode(value)));
}

std::string scrub(std::string_view text) {
  std::string result(text);
  std::string lower = ascii_lowercase(text);
  Registry& secrets = registry();
  std::lock_guard lock(secrets.mutex);
  if (secrets.values.empty()) return result;
  std::vector<const std::string*> longest_first;
  for (const std::string& value : secrets.values) longest_first.push_back(&value);
  std::stable_sort(
      longest_first.begin(), longest_first.end(),
      [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* value : longest_first) mask(result, lower, *value);
  return result;
}

namespace {

// The length of the valid UTF-8 sequence starting at `at` (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (lead < 0xC2 || lead > 0xF4 || at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = byte(at + 1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
      (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
    return 0;
  }
  return length;
}

}  // namespace

std::string strip_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {
      out += byte < 0x20 || byte == 0x7f ? ' ' : text[at];
      ++at;
      continue;
    }
    std::size_t length = utf8_length(text, at);
    bool c1 = length == 2 && byte == 0xC2 && static_cast<unsigned char>(text[at + 1]) < 0xA0;
    if (length == 0 || c1) {
      out += '?';
      at += length == 0 ? 1 : length;
      continue;
    }
    out.append(text.substr(at, length));
    at += length;
  }
  return out;
}

std::string printable_message(std::string_view text) {
  return strip_controls(scrub(text));
}

void clear_secrets() {
  Registry& secrets = registry();
  std::lock_guard lock(secrets.mutex);
  secrets.values.clear();
}

}  // namespace hocker
