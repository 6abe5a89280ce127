// One page of a tag listing (distribution spec "Listing Tags": {"name": ..., "tags": [...]}),
// read without building the whole document in memory, and the bounds of a whole listing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hocker::registry {

/// The most tags a listing collects; a registry claiming more is refused (Error kFormat).
inline constexpr std::size_t kMaxTags = 100'000;
/// The most pages a listing follows; more is refused (Error kFormat).
inline constexpr int kMaxTagPages = 1'000;
/// The largest tag page accepted, in bytes.
inline constexpr std::size_t kMaxTagPageSize = 4u << 20;

/// The tags collected so far, and how many were dropped for not being valid tags.
struct TagListing {
  std::vector<std::string> tags;
  std::size_t dropped = 0;
};

/// Appends the tags of one page to `listing`: each string that is a valid tag
/// ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) is kept, any other string only counted in `dropped`
/// (it could carry escape sequences or line breaks). A null or missing "tags" is an empty page.
/// Throws Error(kFormat, "<what>: ...") when the page is larger than kMaxTagPageSize, nests
/// deeper than base's kMaxJsonDepth, is not a JSON object, has a "tags" that is not an array
/// of strings, or brings the listing beyond kMaxTags.
void parse_tag_page(std::string_view body, const std::string& what, TagListing& listing);

}  // namespace hocker::registry
