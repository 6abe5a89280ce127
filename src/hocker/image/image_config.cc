// Image configuration parsing (OCI image-spec config.md, docker image spec v1.2): only
// rootfs and the platform fields are read; the bytes stay as received.
#include "hocker/image/image_config.h"

#include <nlohmann/json.hpp>

#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/image/document_guard.h"
#include "hocker/image/media_types.h"

namespace hocker::image {
namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& reason) {
  throw Error(ErrorKind::kFormat, "invalid image config: " + reason);
}

std::string optional_string(const Json& document, const char* key) {
  auto found = document.find(key);
  if (found == document.end() || found->is_null()) return {};
  if (!found->is_string()) fail(std::string(key) + " is not a string");
  return found->get<std::string>();
}

// Go writes a nil slice as null: an image without layers may have "diff_ids": null.
std::vector<digest::Digest> parse_diff_ids(const Json& document) {
  auto rootfs = document.find("rootfs");
  if (rootfs == document.end()) fail("rootfs is missing");
  if (!rootfs->is_object()) fail("rootfs is not an object");
  if (rootfs->value("type", Json()) != "layers") fail("rootfs.type is not \"layers\"");
  std::vector<digest::Digest> result;
  auto diff_ids = rootfs->find("diff_ids");
  if (diff_ids == rootfs->end() || diff_ids->is_null()) return result;
  if (!diff_ids->is_array()) fail("rootfs.diff_ids is not an array");
  if (diff_ids->size() > kMaxLayers) {
    fail(std::to_string(diff_ids->size()) + " diff_ids, more than the " +
         std::to_string(kMaxLayers) + " allowed");
  }
  for (std::size_t i = 0; i < diff_ids->size(); ++i) {
    const Json& entry = (*diff_ids)[i];
    std::string text = entry.is_string() ? entry.get<std::string>() : entry.dump();
    auto digest = digest::Digest::try_parse(text);
    if (!entry.is_string() || !digest) {
      fail("rootfs.diff_ids[" + std::to_string(i) + "] " + quote_untrusted(text) +
           " is not a valid digest");
    }
    result.push_back(*digest);
  }
  return result;
}

}  // namespace

ImageConfig ImageConfig::parse(std::string raw) {
  check_document(raw, kMaxConfigSize, "image config");
  try {
    Json document = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) fail("not valid JSON");
    if (!document.is_object()) fail("not a JSON object");
    digest::Digest digest = digest::sha256(raw);
    ImageConfig config(std::move(raw), digest);
    config.diff_ids_ = parse_diff_ids(document);
    config.os_ = optional_string(document, "os");
    config.architecture_ = optional_string(document, "architecture");
    config.variant_ = optional_string(document, "variant");
    return config;
  } catch (const Json::exception&) {
    fail("unexpected JSON structure");
  }
}

}  // namespace hocker::image
