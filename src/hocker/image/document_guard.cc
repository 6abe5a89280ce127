#include "hocker/image/document_guard.h"

#include "hocker/base/document_check.h"
#include "hocker/base/error.h"

namespace hocker::image {

void check_document(std::string_view raw, std::size_t max_size, std::string_view what) {
  hocker::check_document(raw, max_size, kMaxJsonNesting, what);
}

void refuse_schema1() {
  throw Error(ErrorKind::kFormat,
              "the manifest is a Docker schema 1 manifest, which hocker does not support "
              "(deprecated since 2017); push the image again with a current client");
}

std::string printable(std::string_view text) {
  constexpr std::size_t kShown = 80;
  std::string shown;
  for (char c : text.substr(0, kShown)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > kShown) shown += "...";
  return shown;
}

std::string quoted_text(std::string_view text) {
  return "\"" + printable(text) + "\"";
}

}  // namespace hocker::image
