#include "hocker/base/document_check.h"

#include "hocker/base/error.h"

namespace hocker {

std::string document_problem(std::string_view raw, std::size_t max_size, std::size_t max_depth) {
  if (raw.size() > max_size) {
    return std::to_string(raw.size()) + " bytes, more than the " + std::to_string(max_size) +
           " allowed";
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
      if (++depth > max_depth) {
        return "JSON nested deeper than " + std::to_string(max_depth) + " levels";
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return "";
}

void check_document(std::string_view raw, std::size_t max_size, std::size_t max_depth,
                    std::string_view what) {
  if (std::string problem = document_problem(raw, max_size, max_depth); !problem.empty()) {
    throw Error(ErrorKind::kFormat, "invalid " + std::string(what) + ": " + problem);
  }
}

}  // namespace hocker
