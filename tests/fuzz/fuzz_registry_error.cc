// Fuzzes the readers of a server's error answers: the registry's error body and the token
// server's. Neither throws; their text must come out without control characters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hocker/auth/token_text.h"
#include "hocker/registry/registry_error.h"

namespace {

// A C0 control, DEL, or a UTF-8 encoded C1 control (C2 80..C2 9F).
bool has_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return true;
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0 &&
        static_cast<unsigned char>(text[i + 1]) >= 0x80) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string registry_words = hocker::registry::describe_error_body(body);
  std::string token_words = hocker::auth::server_error_text(body);
  if (registry_words.size() > 310 || has_control(registry_words)) __builtin_trap();
  if (token_words.size() > 210 || has_control(token_words)) __builtin_trap();
  return 0;
}
