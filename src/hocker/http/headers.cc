#include <strings.h>

#include "hocker/http/transport.h"

namespace hocker::http {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void Headers::add(std::string name, std::string value) {
  headers_.push_back({std::move(name), std::move(value)});
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const Header& header : headers_) {
    if (same_name(header.name, name)) return header.value;
  }
  return std::nullopt;
}

std::vector<std::string> Headers::get_all(std::string_view name) const {
  std::vector<std::string> values;
  for (const Header& header : headers_) {
    if (same_name(header.name, name)) values.push_back(header.value);
  }
  return values;
}

}  // namespace hocker::http
