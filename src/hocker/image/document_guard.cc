#include "hocker/image/document_guard.h"

#include "hocker/base/error.h"

namespace hocker::image {

void check_document(std::string_view raw, std::size_t max_size, std::string_view what) {
  if (raw.size() > max_size) {
    throw Error(ErrorKind::kFormat, "invalid " + std::string(what) + ": " +
                                        std::to_string(raw.size()) + " bytes, more than the " +
                                        std::to_string(max_size) + " allowed");
  }
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : raw) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonNesting) {
        throw Error(ErrorKind::kFormat, "invalid " + std::string(what) +
                                            ": JSON nested deeper than " +
                                            std::to_string(kMaxJsonNesting) + " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

void refuse_schema1() {
  throw Error(ErrorKind::kFormat,
              "the manifest is a Docker schema 1 manifest, which hocker does not support "
              "(deprecated since 2017); push the image again with a current client");
}

}  // namespace hocker::image
