// What a fetched manifest document is. The mediaType field is authoritative (it is covered by
// the digest); the Content-Type header and the document's shape decide only when it is absent,
// as OCI allows (image-spec manifest.md: mediaType SHOULD be set).
#include <nlohmann/json.hpp>

#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/image/document_guard.h"
#include "hocker/image/manifest.h"

namespace hocker::image {
namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& reason) {
  throw Error(ErrorKind::kFormat, "invalid manifest: " + reason);
}

// "application/vnd.oci.image.index.v1+json; charset=utf-8" → the bare, lowercase type.
std::string bare_media_type(std::string_view content_type) {
  return ascii_lowercase(trim(content_type.substr(0, content_type.find(';')), " \t"));
}

std::optional<DocumentKind> kind_of(std::string_view media_type) {
  if (is_image_manifest(media_type)) return DocumentKind::kImageManifest;
  if (is_index(media_type)) return DocumentKind::kIndex;
  if (media_type == media_type::kDockerSchema1 || media_type == media_type::kDockerSchema1Signed) {
    refuse_schema1();
  }
  return std::nullopt;
}

DocumentKind classify_document(const Json& document, std::string_view content_type) {
  if (!document.is_object()) fail("not a JSON object");
  if (document.value("schemaVersion", Json()) == 1) refuse_schema1();
  auto media_type = document.find("mediaType");
  if (media_type != document.end()) {
    if (!media_type->is_string()) fail("mediaType is not a string");
    std::string text = media_type->get<std::string>();
    if (auto kind = kind_of(text)) return *kind;
    fail("unsupported mediaType " + quote_untrusted(text));
  }
  // Registries may send application/json or nothing useful: then only the shape is left.
  if (auto kind = kind_of(bare_media_type(content_type))) return *kind;
  if (document.contains("manifests")) return DocumentKind::kIndex;
  if (document.contains("config") || document.contains("layers")) {
    return DocumentKind::kImageManifest;
  }
  fail("neither an image manifest nor an index");
}

}  // namespace

DocumentKind classify(std::string_view raw, std::string_view content_type) {
  check_document(raw, kMaxManifestSize, "manifest");
  try {
    Json document = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) fail("not valid JSON");
    return classify_document(document, content_type);
  } catch (const Json::exception&) {
    fail("unexpected JSON structure");
  }
}

}  // namespace hocker::image
