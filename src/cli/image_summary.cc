#include "cli/image_summary.h"

#include <nlohmann/json.hpp>
#include <string_view>

namespace hocker::cli {
namespace {

using nlohmann::json;

// The media type a document declares; an OCI document may omit its mediaType field (image
// spec, manifest.md), then the registry's Content-Type says it, and failing that it is OCI.
std::string document_media_type(const std::string& declared, std::string_view content_type,
                                std::string_view oci_default) {
  if (!declared.empty()) return declared;
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return std::string(type.empty() ? oci_default : type);
}

std::optional<std::vector<std::string>> string_array(const json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_array()) return std::nullopt;
  std::vector<std::string> values;
  for (const json& value : *found) {
    if (value.is_string()) values.push_back(value.get<std::string>());
  }
  return values;
}

void read_config_fields(const std::string& raw, ImageSummary& summary) {
  json document = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return;
  auto created = document.find("created");
  if (created != document.end() && created->is_string()) summary.created = *created;
  auto inner = document.find("config");
  if (inner == document.end() || !inner->is_object()) return;
  summary.entrypoint = string_array(*inner, "Entrypoint");
  summary.cmd = string_array(*inner, "Cmd");
  summary.env = string_array(*inner, "Env").value_or(std::vector<std::string>{});
  auto labels = inner->find("Labels");
  if (labels == inner->end() || !labels->is_object()) return;
  for (const auto& [key, value] : labels->items()) {
    if (value.is_string()) summary.labels[key] = value.get<std::string>();
  }
}

std::vector<PlatformEntry> index_entries(const registry::FetchedManifest& fetched,
                                         const digest::Digest& chosen, std::string& media_type) {
  image::Index index = image::Index::parse(fetched.raw);
  media_type =
      document_media_type(index.media_type(), fetched.content_type, image::media_type::kOciIndex);
  std::vector<PlatformEntry> entries;
  bool selected_one = false;
  for (const image::Descriptor& entry : index.manifests()) {
    bool selected = !selected_one && entry.digest == chosen;
    selected_one = selected_one || selected;
    entries.push_back({entry.platform ? entry.platform->string() : "", entry.digest.string(),
                       entry.media_type, entry.size, selected});
  }
  return entries;
}

}  // namespace

std::string manifest_media_type(const registry::ResolvedImage& resolved) {
  return document_media_type(resolved.parsed.media_type(), resolved.manifest.content_type,
                             image::media_type::kOciManifest);
}

ImageSummary summarize_image(const ref::Reference& reference,
                             const registry::ResolvedImage& resolved,
                             const image::ImageConfig& config) {
  ImageSummary summary;
  summary.name = reference.string();
  summary.manifest_digest = resolved.manifest.digest.string();
  summary.manifest_media_type = manifest_media_type(resolved);
  if (resolved.index) {
    summary.digest = resolved.index->digest.string();
    summary.platforms =
        index_entries(*resolved.index, resolved.manifest.digest, summary.media_type);
  } else {
    summary.digest = summary.manifest_digest;
    summary.media_type = summary.manifest_media_type;
  }
  summary.config_digest = resolved.parsed.config().digest.string();
  summary.os = config.os();
  summary.architecture = config.architecture();
  summary.variant = config.variant();
  for (const image::Descriptor& layer : resolved.parsed.layers()) {
    summary.layers.push_back({layer.digest.string(), layer.media_type, layer.size});
    summary.total_size += layer.size;
  }
  read_config_fields(config.raw(), summary);
  return summary;
}

}  // namespace hocker::cli
