// Manifest and index parsing. The documents come from the network: every field is checked
// for type and range before use, and nlohmann's exceptions never escape (OCI image spec:
// manifest.md, image-index.md, descriptor.md; docker manifest v2 schema 2).
#include "hocker/image/manifest.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/image/document_guard.h"

namespace hocker::image {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kManifestWhat = "image manifest";
constexpr std::string_view kIndexWhat = "index";

// One document being parsed: its name for messages ("image manifest", "index").
struct Context {
  std::string_view what;

  [[noreturn]] void fail(const std::string& reason) const {
    throw Error(ErrorKind::kFormat, "invalid " + std::string(what) + ": " + reason);
  }

  Json parse(const std::string& raw) const {
    check_document(raw, kMaxManifestSize, what);
    Json document = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) fail("not valid JSON");
    if (!document.is_object()) fail("not a JSON object");
    if (document.value("schemaVersion", Json()) != 2) fail("schemaVersion is not 2");
    return document;
  }

  std::string string_field(const Json& object, const char* key, const std::string& path,
                           bool required) const {
    auto found = object.find(key);
    if (found == object.end()) {
      if (required) fail(path + key + " is missing");
      return {};
    }
    if (!found->is_string()) fail(path + key + " is not a string");
    return found->get<std::string>();
  }

  std::int64_t size_field(const Json& object, const std::string& path) const {
    auto found = object.find("size");
    if (found == object.end()) fail(path + "size is missing");
    std::int64_t size = -1;
    if (found->is_number_unsigned()) {
      if (found->get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max()) {
        size = found->get<std::int64_t>();
      }
    } else if (found->is_number_integer()) {
      size = found->get<std::int64_t>();
    }
    if (size < 0) fail(path + "size is not a non-negative integer");
    if (size > kMaxBlobSize) {
      fail(path + "size " + std::to_string(size) + " is more than the " +
           std::to_string(kMaxBlobSize) + " bytes (1 TiB) hocker accepts");
    }
    return size;
  }

  std::vector<std::string> urls(const Json& object, const std::string& path) const {
    std::vector<std::string> result;
    auto found = object.find("urls");
    if (found == object.end() || found->is_null()) return result;
    if (!found->is_array()) fail(path + "urls is not an array");
    for (const Json& url : *found) {
      if (!url.is_string()) fail(path + "urls has an entry that is not a string");
      result.push_back(url.get<std::string>());
    }
    return result;
  }

  std::map<std::string, std::string> annotations(const Json& object,
                                                 const std::string& path) const {
    std::map<std::string, std::string> result;
    auto found = object.find("annotations");
    if (found == object.end() || found->is_null()) return result;
    if (!found->is_object()) fail(path + "annotations is not an object");
    for (const auto& [key, value] : found->items()) {
      if (!value.is_string()) fail(path + "annotations." + printable(key) + " is not a string");
      result.emplace(key, value.get<std::string>());
    }
    return result;
  }

  std::optional<Platform> platform(const Json& object, const std::string& path) const {
    auto found = object.find("platform");
    if (found == object.end() || found->is_null()) return std::nullopt;
    if (!found->is_object()) fail(path + "platform is not an object");
    std::string prefix = path + "platform.";
    return Platform{string_field(*found, "os", prefix, true),
                    string_field(*found, "architecture", prefix, true),
                    string_field(*found, "variant", prefix, false)};
  }

  // `path` names the descriptor in messages, with a trailing dot ("layers[3].").
  Descriptor descriptor(const Json& object, const std::string& path) const {
    if (!object.is_object()) fail(path.substr(0, path.size() - 1) + " is not an object");
    std::string digest_text = string_field(object, "digest", path, true);
    auto digest = digest::Digest::try_parse(digest_text);
    if (!digest) fail(path + "digest " + quote_untrusted(digest_text) + " is not a valid digest");
    return Descriptor{.media_type = string_field(object, "mediaType", path, true),
                      .digest = *digest,
                      .size = size_field(object, path),
                      .urls = urls(object, path),
                      .platform = platform(object, path),
                      .annotations = annotations(object, path)};
  }

  std::vector<Descriptor> descriptors(const Json& document, const char* key) const {
    auto found = document.find(key);
    if (found == document.end()) fail(std::string(key) + " is missing");
    if (!found->is_array()) fail(std::string(key) + " is not an array");
    if (found->size() > kMaxLayers) {
      fail(std::to_string(found->size()) + " " + key + ", more than the " +
           std::to_string(kMaxLayers) + " allowed");
    }
    std::vector<Descriptor> result;
    result.reserve(found->size());
    for (std::size_t i = 0; i < found->size(); ++i) {
      result.push_back(descriptor((*found)[i], std::string(key) + "[" + std::to_string(i) + "]."));
    }
    return result;
  }
};

// Media types a document of the other kind, or schema 1, announces: a clear refusal.
void check_media_type(const Context& context, const std::string& media_type, bool is_manifest) {
  if (media_type.empty()) return;
  if (is_manifest ? is_image_manifest(media_type) : is_index(media_type)) return;
  if (media_type == media_type::kDockerSchema1 || media_type == media_type::kDockerSchema1Signed) {
    refuse_schema1();
  }
  if (is_manifest && is_index(media_type)) {
    context.fail("this is a manifest list or index; select a platform first");
  }
  if (!is_manifest && is_image_manifest(media_type)) {
    context.fail("this is an image manifest, not an index");
  }
  context.fail("unsupported mediaType " + quote_untrusted(media_type));
}

bool is_attestation_or_unknown(const Platform& platform) {
  return platform.os.empty() || platform.architecture.empty() || platform.os == "unknown" ||
         platform.architecture == "unknown";
}

// containerd's arm fallback: an arm/vN host runs images for older arm variants.
std::vector<Platform> fallbacks(const Platform& wanted) {
  Platform normal = wanted.normalized();
  std::vector<Platform> result;
  if (normal.architecture != "arm" || normal.variant.size() != 2) return result;
  for (char version = static_cast<char>(normal.variant[1] - 1); version >= '5'; --version) {
    result.push_back({normal.os, "arm", std::string("v") + version});
  }
  return result;
}

}  // namespace

Manifest Manifest::parse(std::string raw) {
  Context context{kManifestWhat};
  try {
    Json document = context.parse(raw);
    std::string media_type = context.string_field(document, "mediaType", "", false);
    check_media_type(context, media_type, true);
    auto config = document.find("config");
    if (config == document.end()) context.fail("config is missing");
    digest::Digest digest = digest::sha256(raw);
    Manifest manifest(std::move(raw), digest, context.descriptor(*config, "config."));
    manifest.media_type_ = std::move(media_type);
    manifest.layers_ = context.descriptors(document, "layers");
    return manifest;
  } catch (const Json::exception&) {
    context.fail("unexpected JSON structure");
  }
}

Index Index::parse(std::string raw) {
  Context context{kIndexWhat};
  try {
    Json document = context.parse(raw);
    std::string media_type = context.string_field(document, "mediaType", "", false);
    check_media_type(context, media_type, false);
    digest::Digest digest = digest::sha256(raw);
    Index index(std::move(raw), digest);
    index.media_type_ = std::move(media_type);
    index.manifests_ = context.descriptors(document, "manifests");
    return index;
  } catch (const Json::exception&) {
    context.fail("unexpected JSON structure");
  }
}

const Descriptor& Index::select(const Platform& wanted) const {
  auto find = [this](const Platform& platform) -> const Descriptor* {
    for (const Descriptor& entry : manifests_) {
      if (entry.platform && !is_attestation_or_unknown(*entry.platform) &&
          entry.platform->matches(platform)) {
        return &entry;
      }
    }
    return nullptr;
  };
  if (const Descriptor* entry = find(wanted)) return *entry;
  for (const Platform& fallback : fallbacks(wanted)) {
    if (const Descriptor* entry = find(fallback)) return *entry;
  }
  constexpr std::size_t kMaxListed = 20;
  std::vector<Platform> available = platforms();
  std::string listed;
  for (std::size_t i = 0; i < available.size() && i < kMaxListed; ++i) {
    listed += (i == 0 ? "" : ", ") + printable(available[i].string());
  }
  if (available.size() > kMaxListed) listed += ", ...";
  throw Error(ErrorKind::kNotFound, "no manifest for platform " + printable(wanted.string()) +
                                        "; available: " + (listed.empty() ? "none" : listed));
}

std::vector<Platform> Index::platforms() const {
  std::vector<Platform> result;
  for (const Descriptor& entry : manifests_) {
    if (!entry.platform || is_attestation_or_unknown(*entry.platform)) continue;
    if (std::find(result.begin(), result.end(), *entry.platform) == result.end()) {
      result.push_back(*entry.platform);
    }
  }
  return result;
}

}  // namespace hocker::image
