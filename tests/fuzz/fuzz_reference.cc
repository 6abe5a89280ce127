// Fuzzes image references: the modern one-argument form, the classic NAME TAG pair (input
// split at its first NUL or newline) and --registry URIs. hocker::Error is the expected way
// to refuse input; anything else (another exception, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hocker/base/error.h"
#include "hocker/ref/reference.h"

namespace {

template <typename Function>
void expect_error_or_value(Function function) {
  try {
    function();
  } catch (const hocker::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hocker::ref::Reference;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  expect_error_or_value([&] {
    Reference reference = Reference::parse(input);
    // A parsed reference must format and parse back to itself.
    if (Reference::parse(reference.string()) != reference) __builtin_trap();
    (void)reference.familiar();
  });
  std::size_t split = input.find_first_of(std::string_view("\0\n", 2));
  std::string_view name = input.substr(0, split);
  std::string_view tag = split == std::string_view::npos ? "" : input.substr(split + 1);
  expect_error_or_value([&] { (void)Reference::from_classic(std::nullopt, name, tag); });
  expect_error_or_value([&] { (void)Reference::from_classic("http://127.0.0.1:9", name, tag); });
  expect_error_or_value([&] { (void)hocker::ref::Registry::parse_uri(input); });
  return 0;
}
