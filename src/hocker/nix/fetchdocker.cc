#include "hocker/nix/fetchdocker.h"

#include "hocker/base/error.h"

namespace hocker::nix {
namespace {

// Nix 2.8 libstore/path.cc checkName: at most 211 characters, no leading '.', and only these.
constexpr std::size_t kMaxStoreNameLength = 211;
constexpr std::string_view kStoreNamePunctuation = "+-._?=";

bool is_store_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kStoreNamePunctuation.find(c) != std::string_view::npos;
}

void check_part(std::string_view what, std::string_view value) {
  if (value.empty())
    throw Error(ErrorKind::kFormat, "fetchdocker needs a non-empty " + std::string(what));
  if (value.find('/') != std::string_view::npos) {
    throw Error(ErrorKind::kFormat, "fetchdocker's " + std::string(what) + " \"" +
                                        std::string(value) + "\" may not contain '/'");
  }
}

void check_sha256(std::string_view what, const digest::Digest& digest) {
  if (digest.algorithm() != digest::Algorithm::kSha256) {
    throw Error(ErrorKind::kFormat, std::string(what) + " digest " + digest.string() +
                                        " is not sha256, which fetchdocker's fixed-output " +
                                        "hashes must be");
  }
}

void check_input(const FetchdockerInput& input) {
  if (!is_valid_store_name(input.name)) {
    throw Error(ErrorKind::kUsage, "\"" + input.name +
                                       "\" is not a valid Nix derivation name (use 1 to 211 "
                                       "of A-Z a-z 0-9 + - . _ ? =, not starting with '.')");
  }
  check_part("repository", input.repository);
  check_part("imageName", input.image_name);
  check_sha256("config", input.config);
  if (input.layers.empty()) {
    throw Error(ErrorKind::kFormat, "the image has no layers, and fetchdocker needs at least one");
  }
  for (const digest::Digest& layer : input.layers) check_sha256("layer", layer);
}

std::string binding(std::string_view indent, std::string_view key, std::string_view value) {
  return std::string(indent) + std::string(key) + " = " + quote_string(value) + ";\n";
}

std::string render_layer(std::size_t index, const digest::Digest& layer, HashFormat format) {
  std::string out = "    layer" + std::to_string(index) + " = fetchDockerLayer {\n";
  out += "      inherit registry repository imageName;\n";
  out += binding("      ", "layerDigest", layer.hex());
  out += binding("      ", "sha256", format_hash(layer, format));
  out += "    };\n";
  return out;
}

}  // namespace

std::pair<std::string, std::string> split_repository(std::string_view repository_path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = repository_path.find('/', start);
    parts.push_back(repository_path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (std::string_view part : parts) {
    if (part.empty()) {
      throw Error(ErrorKind::kUsage,
                  "bad repository path \"" + std::string(repository_path) + "\": empty component");
    }
  }
  if (parts.size() == 1) return {"library", std::string(parts[0])};
  if (parts.size() == 2) return {std::string(parts[0]), std::string(parts[1])};
  throw Error(ErrorKind::kFormat,
              "cannot express repository \"" + std::string(repository_path) +
                  "\" for fetchdocker: nixpkgs asserts that neither repository nor imageName "
                  "contains '/', so only two-component paths (repository/imageName) work; fetch "
                  "this image with hocker-image instead");
}

bool is_valid_store_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxStoreNameLength || name.front() == '.') return false;
  for (char c : name) {
    if (!is_store_name_character(c)) return false;
  }
  return true;
}

std::string render_fetchdocker(const FetchdockerInput& input) {
  check_input(input);
  std::string out = "{ fetchDockerConfig, fetchDockerLayer, fetchdocker }:\n";
  out += "fetchdocker rec {\n";
  out += binding("  ", "name", input.name);
  out += binding("  ", "registry", input.registry);
  out += binding("  ", "repository", input.repository);
  out += binding("  ", "imageName", input.image_name);
  out += binding("  ", "tag", input.tag);
  out += "  imageConfig = fetchDockerConfig {\n";
  out += "    inherit tag registry repository imageName;\n";
  out += binding("    ", "sha256", format_hash(input.config, input.hash_format));
  out += "  };\n";
  out += "  imageLayers = let\n";
  std::string list;
  for (std::size_t i = 0; i < input.layers.size(); ++i) {
    out += render_layer(i, input.layers[i], input.hash_format);
    list += "layer" + std::to_string(i) + " ";
  }
  out += "  in [ " + list + "];\n";
  out += "}\n";
  return out;
}

}  // namespace hocker::nix
