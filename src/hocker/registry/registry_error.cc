#include "hocker/registry/registry_error.h"

#include <nlohmann/json.hpp>

#include "hocker/base/document_check.h"
#include "hocker/base/scrub.h"
#include "hocker/http/status.h"
#include "hocker/http/transport.h"

namespace hocker::registry {
namespace {

constexpr std::size_t kMaxDescription = 300;
// A distribution-spec error document is an object holding an array of flat objects, with a
// free-form "detail" below them: nothing legitimate nests deeper.
constexpr std::size_t kMaxErrorDepth = 16;

std::string describe_entry(const nlohmann::json& entry) {
  if (!entry.is_object()) return "";
  std::string text;
  if (auto code = entry.find("code"); code != entry.end() && code->is_string()) {
    text = code->get<std::string>();
  }
  if (auto message = entry.find("message"); message != entry.end() && message->is_string()) {
    if (!text.empty()) text += ": ";
    text += message->get<std::string>();
  }
  return text;
}

}  // namespace

std::string describe_error_body(std::string_view body) {
  // A longer body was cut by the transport (or never came from one): not worth parsing.
  if (!document_problem(body, http::kMaxErrorBody - 1, kMaxErrorDepth).empty()) return "";
  nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return "";
  auto errors = document.find("errors");
  if (errors == document.end() || !errors->is_array()) return "";
  std::string description;
  for (const auto& entry : *errors) {
    std::string text = describe_entry(entry);
    if (text.empty()) continue;
    if (!description.empty()) description += "; ";
    description += text;
    if (description.size() > kMaxDescription) break;
  }
  // The registry's words go into a message for a terminal: no secret it echoes, no escapes.
  description = strip_controls(scrub(description));
  if (description.size() > kMaxDescription)
    description = description.substr(0, kMaxDescription) + "...";
  return description;
}

Error error_for_status(const std::string& what, long status, std::string_view body) {
  std::string message = what + ": " + http::status_text(status);
  if (std::string registry_words = describe_error_body(body); !registry_words.empty()) {
    message += " (" + registry_words + ")";
  }
  if (status == 401 || status == 403) return Error(ErrorKind::kAuth, message);
  if (status == 407) {
    // An HTTP proxy from the environment, not the registry, refused the request.
    return Error(ErrorKind::kAuth,
                 message +
                     ": the proxy refused its credentials; check the user:password in "
                     "http_proxy or all_proxy");
  }
  if (status == 404) return Error(ErrorKind::kNotFound, message);
  if (status == 429 || status == 408 || status >= 500) {
    return Error(ErrorKind::kNetwork, message, Transient::kYes);
  }
  return Error(ErrorKind::kFormat, message);
}

}  // namespace hocker::registry
