#include "hocker/auth/token_text.h"

#include <nlohmann/json.hpp>

#include "hocker/base/document_check.h"
#include "hocker/base/scrub.h"
#include "hocker/base/text.h"
#include "hocker/http/transport.h"

namespace hocker::auth {
namespace {

constexpr std::size_t kMaxErrorText = 200;
constexpr std::size_t kMaxErrorDepth = 16;

// Echoed secrets masked, C0, DEL and C1 controls (raw or UTF-8 encoded) stripped, one line.
std::string error_line(const std::string& text) {
  return one_line(strip_controls(scrub(text)), kMaxErrorText);
}

std::string text_field(const nlohmann::json& object, const char* name) {
  auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

}  // namespace

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

std::vector<std::string> split_scopes(std::string_view scopes) {
  std::vector<std::string> result;
  while (!scopes.empty()) {
    std::size_t space = scopes.find(' ');
    if (space != 0) result.emplace_back(scopes.substr(0, space));
    if (space == std::string_view::npos) break;
    scopes.remove_prefix(space + 1);
  }
  return result;
}

std::string server_error_text(std::string_view body) {
  if (!document_problem(body, http::kMaxErrorBody - 1, kMaxErrorDepth).empty()) return "";
  nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
  if (!document.is_object()) return "";
  for (const char* name : {"details", "error_description", "message"}) {
    if (std::string text = text_field(document, name); !text.empty()) {
      return error_line(text);
    }
  }
  if (auto errors = document.find("errors"); errors != document.end() && errors->is_array() &&
                                             !errors->empty() && errors->front().is_object()) {
    if (std::string text = text_field(errors->front(), "message"); !text.empty()) {
      return error_line(text);
    }
  }
  return error_line(text_field(document, "error"));
}

bool is_header_safe(std::string_view value) {
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return false;
  }
  return true;
}

}  // namespace hocker::auth
