// Bundle names: RepoTags and OCI annotations parsed with the reference grammar, re-homed, and
// grouped by the final name.
#include "hocker/push/bundle_names.h"

#include <nlohmann/json.hpp>

#include "hocker/base/document_check.h"
#include "hocker/base/error.h"
#include "hocker/image/manifest.h"
#include "hocker/push/docker_push.h"

namespace hocker::push {

namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr const char* kImageName = "io.containerd.image.name";

bool is_registry_host(std::string_view first) {
  return first == "localhost" || first.find_first_of(".:") != std::string_view::npos;
}

// A recorded name as a push target: it must parse and name a tag (no digest).
ref::Reference target_name(const std::string& text, const std::string& where,
                           const std::optional<Destination>& destination) {
  if (text.find('@') != std::string::npos || tag_of(text).empty()) {
    throw Error(ErrorKind::kFormat,
                where + " names '" + text + "', which has no tag: it cannot be a push target");
  }
  ref::Reference name;
  try {
    name = ref::Reference::parse(text);
  } catch (const Error& error) {
    throw Error(ErrorKind::kFormat, where + " names '" + text + "': " + error.what());
  }
  return destination ? rehome(name, *destination) : name;
}

// Adds `entry` under `name`, grouping entries with the same final name.
void add(std::vector<BundleImage>& images, ref::Reference name, std::size_t entry) {
  for (auto& image : images) {
    if (image.name != name) continue;
    if (image.entries.back() != entry) image.entries.push_back(entry);
    return;
  }
  images.push_back(BundleImage{std::move(name), {entry}});
}

}  // namespace

Destination parse_destination(std::string_view text) {
  std::size_t slash = text.find('/');
  std::string_view host = text.substr(0, slash);
  if (!is_registry_host(host)) {
    throw Error(ErrorKind::kUsage, "the destination '" + std::string(text) +
                                       "' must start with a registry host (registry.example.com, "
                                       "localhost:5000)");
  }
  if (text.find('@') != std::string_view::npos ||
      (slash != std::string_view::npos && text.find(':', slash) != std::string_view::npos)) {
    throw Error(ErrorKind::kUsage, "the destination '" + std::string(text) +
                                       "' names a tag or digest: with --all each image keeps its "
                                       "own tag");
  }
  std::string prefix = slash == std::string_view::npos ? "" : std::string(text.substr(slash + 1));
  while (prefix.ends_with('/')) prefix.pop_back();
  // The grammar checks the host and the prefix's components; "probe" stands for an image.
  ref::Reference probe = ref::Reference::parse(std::string(host) + "/" +
                                               (prefix.empty() ? "" : prefix + "/") + "probe");
  return Destination{probe.registry, prefix};
}

ref::Reference rehome(const ref::Reference& name, const Destination& destination) {
  std::string text = destination.registry.domain + "/" +
                     (destination.prefix.empty() ? "" : destination.prefix + "/") +
                     name.repository + ":" + name.tag.value_or("latest");
  ref::Reference moved = ref::Reference::parse(text);
  moved.registry.scheme = destination.registry.scheme;
  return moved;
}

std::vector<BundleImage> docker_bundle_images(const std::vector<ArchiveImage>& entries,
                                              const std::optional<Destination>& destination) {
  std::vector<BundleImage> images;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string where = "manifest.json entry " + std::to_string(i + 1);
    if (entries[i].repo_tags.empty()) {
      throw Error(ErrorKind::kFormat,
                  where +
                      " has no RepoTags, so no name to push it to (a docker-format archive "
                      "of several platforms names only one: write it with --format oci)");
    }
    for (const auto& tag : entries[i].repo_tags) {
      add(images, target_name(tag, where, destination), i);
    }
  }
  return images;
}

std::vector<BundleImage> oci_bundle_images(const std::string& index_json,
                                           const std::optional<Destination>& destination) {
  image::Index index = image::Index::parse(index_json);
  std::vector<BundleImage> images;
  for (std::size_t i = 0; i < index.manifests().size(); ++i) {
    const auto& annotations = index.manifests()[i].annotations;
    std::string where = "index.json entry " + std::to_string(i + 1);
    std::string text;
    if (auto found = annotations.find(kImageName); found != annotations.end()) {
      text = found->second;
    } else if (auto ref_name = annotations.find(kRefName);
               ref_name != annotations.end() && ref_name->second.find('/') != std::string::npos) {
      text = ref_name->second;
    } else {
      throw Error(ErrorKind::kFormat, where + " has no " + kImageName + " annotation nor a full " +
                                          kRefName + ", so no name to push it to");
    }
    ref::Reference name = target_name(text, where, destination);
    for (const auto& image : images) {
      if (image.name == name) {
        throw Error(ErrorKind::kFormat,
                    "index.json entries " + std::to_string(image.entries.front() + 1) + " and " +
                        std::to_string(i + 1) + " are both named " + pushed_name(name));
      }
    }
    images.push_back(BundleImage{std::move(name), {i}});
  }
  return images;
}

std::string single_entry_index(const std::string& index_json, std::size_t entry) {
  check_document(index_json, image::kMaxManifestSize, kMaxJsonDepth, "index.json");
  nlohmann::ordered_json index = nlohmann::ordered_json::parse(index_json, nullptr, false);
  if (index.is_discarded() || !index.contains("manifests") || !index["manifests"].is_array() ||
      entry >= index["manifests"].size()) {
    throw Error(ErrorKind::kFormat, "index.json has no entry " + std::to_string(entry + 1));
  }
  nlohmann::ordered_json one = index;
  one["manifests"] = nlohmann::ordered_json::array({index["manifests"][entry]});
  return one.dump();
}

std::string pushed_name(const ref::Reference& name) {
  return name.registry.domain + "/" + name.repository + ":" + name.tag.value_or("latest");
}

}  // namespace hocker::push
