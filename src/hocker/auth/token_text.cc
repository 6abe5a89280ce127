#include "hocker/auth/token_text.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "hocker/base/document_check.h"
#include "hocker/base/scrub.h"
#include "hocker/http/transport.h"

namespace hocker::auth {
namespace {

constexpr std::size_t kMaxErrorText = 200;
constexpr std::size_t kMaxErrorDepth = 16;

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

// C0, DEL and C1 controls (raw or UTF-8 encoded) stripped, echoed secrets masked.
std::string one_line(const std::string& text) {
  std::string line = strip_controls(scrub(text));
  if (line.size() > kMaxErrorText) line = line.substr(0, kMaxErrorText) + "...";
  return line;
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
    if (std::string text = text_field(document, name); !text.empty()) return one_line(text);
  }
  if (auto errors = document.find("errors"); errors != document.end() && errors->is_array() &&
                                             !errors->empty() && errors->front().is_object()) {
    if (std::string text = text_field(errors->front(), "message"); !text.empty()) {
      return one_line(text);
    }
  }
  return one_line(text_field(document, "error"));
}

std::string status_suffix(long status) {
  switch (status) {
    case 400:
      return " Bad Request";
    case 401:
      return " Unauthorized";
    case 403:
      return " Forbidden";
    case 404:
      return " Not Found";
    case 405:
      return " Method Not Allowed";
    case 429:
      return " Too Many Requests";
    case 500:
      return " Internal Server Error";
    case 502:
      return " Bad Gateway";
    case 503:
      return " Service Unavailable";
    case 504:
      return " Gateway Timeout";
    default:
      return "";
  }
}

bool is_header_safe(std::string_view value) {
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return false;
  }
  return true;
}

}  // namespace hocker::auth
