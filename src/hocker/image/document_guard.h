// Checks on untrusted JSON documents before any parser sees them (size, nesting depth). Internal
// to image; free of JSON types. Quoting untrusted text in messages is hocker::quote_untrusted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hocker/base/document_check.h"

namespace hocker::image {

/// Deepest nesting of arrays and objects accepted; deeper documents could exhaust the stack
/// of a recursive parser.
inline constexpr std::size_t kMaxJsonNesting = kMaxJsonDepth;

/// Throws Error(kFormat, "invalid <what>: ...") when `raw` is larger than `max_size` bytes or
/// nests arrays/objects deeper than kMaxJsonNesting (base's check_document, which every
/// network JSON passes).
void check_document(std::string_view raw, std::size_t max_size, std::string_view what);

/// Throws the one refusal of Docker schema 1 manifests, Error(kFormat).
[[noreturn]] void refuse_schema1();

}  // namespace hocker::image
