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

}  // namespace hocker::image
