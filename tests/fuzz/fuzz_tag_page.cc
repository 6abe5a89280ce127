// Fuzzes the tag page reader. Error(kFormat) is an expected outcome for a malformed page; any
// other exception or sanitizer report is a finding, and so is a kept tag that is not a tag.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hocker/base/error.h"
#include "hocker/registry/tag_page.h"

namespace {

bool is_tag(std::string_view tag) {
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (tag.empty() || tag.size() > 128 || !word(tag.front())) return false;
  for (char c : tag) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  hocker::registry::TagListing listing;
  try {
    hocker::registry::parse_tag_page(body, "GET x", listing);
  } catch (const hocker::Error& error) {
    if (error.kind() != hocker::ErrorKind::kFormat) __builtin_trap();
  }
  for (const std::string& tag : listing.tags) {
    if (!is_tag(tag)) __builtin_trap();
  }
  return 0;
}
