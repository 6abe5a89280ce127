#include "hocker/base/text.h"

namespace hocker {
namespace {

bool is_printable_ascii(char c) {
  return c >= 0x20 && c < 0x7f;
}

bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

}  // namespace

std::string ascii_lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::string_view trim_start(std::string_view text, std::string_view characters) {
  std::size_t start = text.find_first_not_of(characters);
  return start == std::string_view::npos ? std::string_view() : text.substr(start);
}

std::string_view trim_end(std::string_view text, std::string_view characters) {
  std::size_t last = text.find_last_not_of(characters);
  return last == std::string_view::npos ? std::string_view() : text.substr(0, last + 1);
}

std::string_view trim(std::string_view text, std::string_view characters) {
  return trim_end(trim_start(text, characters), characters);
}

std::string printable(std::string_view text, std::size_t max_length) {
  std::string shown;
  for (char c : text.substr(0, max_length)) shown += is_printable_ascii(c) ? c : '?';
  if (text.size() > max_length) shown += "...";
  return shown;
}

std::string quote_untrusted(std::string_view text, std::size_t max_length) {
  return "\"" + printable(text, max_length) + "\"";
}

std::string one_line(std::string text, std::size_t max_length) {
  for (char& c : text) {
    if (is_control(c)) c = ' ';
  }
  if (text.size() > max_length) {
    text.resize(max_length);
    text += "...";
  }
  return text;
}

std::string strip_userinfo(std::string_view uri) {
  std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri);
  std::size_t authority_start = scheme_end + 3;
  std::string_view rest = uri.substr(authority_start);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(uri);
  return std::string(uri.substr(0, authority_start)) + std::string(rest.substr(at + 1));
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                      (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

}  // namespace hocker
