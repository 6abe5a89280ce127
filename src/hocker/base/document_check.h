// The one check every JSON document from the network passes before a parser sees it: a size
// cap (memory) and a nesting cap (a recursive parser's stack). Free of JSON types.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hocker {

/// Deepest nesting of arrays and objects accepted by default; deeper documents could exhaust
/// the stack of a recursive parser.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// Why `raw` is refused ("12 bytes, more than the 10 allowed", "JSON nested deeper than 64
/// levels"), or "" when it is at most `max_size` bytes and nests arrays/objects at most
/// `max_depth` deep. A linear scan that honours strings; it does not validate the JSON.
std::string document_problem(std::string_view raw, std::size_t max_size, std::size_t max_depth);

/// Throws Error(kFormat, "invalid <what>: <problem>") when document_problem() finds one.
void check_document(std::string_view raw, std::size_t max_size, std::size_t max_depth,
                    std::string_view what);

}  // namespace hocker
