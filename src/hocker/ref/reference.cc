// Reference parsing after distribution/reference (normalize.go, reference.go): split off the
// digest, then the tag, then the domain; normalise Docker Hub names; validate every piece.
#include "hocker/ref/reference.h"

#include <algorithm>

#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/ref/grammar.h"

namespace hocker::ref {
namespace {

constexpr std::string_view kLegacyDockerHubDomain = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::size_t kMaxNameLength = 255;

[[noreturn]] void fail(std::string_view text, std::string_view reason) {
  throw Error(ErrorKind::kUsage,
              "invalid reference " + quote_untrusted(text) + ": " + std::string(reason));
}

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool has_uppercase(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// splitDockerDomain: the first component names a registry when it looks like a host.
bool names_domain(std::string_view first) {
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
         has_uppercase(first);
}

std::optional<std::string> parse_tag(std::string_view text, std::string_view tag) {
  if (!grammar::is_valid_tag(tag)) {
    fail(text, "invalid tag " + quote_untrusted(tag) +
                   " (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
  }
  return std::string(tag);
}

digest::Digest parse_digest(std::string_view text, std::string_view digest_text) {
  auto parsed = digest::Digest::try_parse(digest_text);
  if (!parsed) {
    fail(text, "invalid digest " + quote_untrusted(digest_text) +
                   " (expected sha256: and 64 lowercase hex digits, or sha512: and 128)");
  }
  return *parsed;
}

// Checks the repository path and the whole name's length; `text` is for messages only.
void validate_name(std::string_view text, const Reference& reference) {
  if (auto problem = grammar::path_problem(reference.repository)) fail(text, *problem);
  std::size_t length = reference.registry.domain.size() + 1 + reference.repository.size();
  if (length > kMaxNameLength) {
    fail(text, "repository name must not be more than 255 characters");
  }
}

}  // namespace

Reference Reference::parse(std::string_view text) {
  if (text.empty()) fail(text, "empty reference");
  if (text.size() == 64 && is_lower_hex(text)) {
    fail(text, "a 64-character hexadecimal string is an image ID, not a repository name");
  }
  Reference reference;
  std::string_view name = text;
  if (std::size_t at = name.find('@'); at != std::string_view::npos) {
    reference.digest = parse_digest(text, name.substr(at + 1));
    name = name.substr(0, at);
  }
  std::size_t colon = name.rfind(':');
  std::size_t last_slash = name.rfind('/');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    reference.tag = parse_tag(text, name.substr(colon + 1));
    name = name.substr(0, colon);
  }
  std::size_t slash = name.find('/');
  std::string_view path = name;
  reference.registry.domain = kDockerHubDomain;
  if (slash != std::string_view::npos && names_domain(name.substr(0, slash))) {
    std::string_view domain = name.substr(0, slash);
    if (auto problem = grammar::domain_problem(domain)) fail(text, *problem);
    if (domain != kLegacyDockerHubDomain) reference.registry.domain = domain;
    path = name.substr(slash + 1);
  }
  reference.repository = path;
  if (reference.registry.is_docker_hub() && path.find('/') == std::string_view::npos) {
    reference.repository = std::string(kOfficialPrefix) + reference.repository;
  }
  validate_name(text, reference);
  if (!reference.tag && !reference.digest) reference.tag = "latest";
  return reference;
}

Reference Reference::from_classic(std::optional<std::string_view> registry_uri,
                                  std::string_view name, std::string_view tag) {
  Reference reference;
  reference.registry = registry_uri ? Registry::parse_uri(*registry_uri)
                                    : Registry{std::string(kDockerHubDomain), ""};
  reference.repository = name;
  if (reference.registry.is_docker_hub() && !name.empty() &&
      name.find('/') == std::string_view::npos) {
    reference.repository = std::string(kOfficialPrefix) + reference.repository;
  }
  validate_name(name, reference);
  if (tag.find(':') != std::string_view::npos) {
    reference.digest = parse_digest(tag, tag);
  } else if (!tag.empty()) {
    reference.tag = parse_tag(tag, tag);
  }
  return reference;
}

std::string Reference::identifier() const {
  if (digest) return digest->string();
  return tag.value_or("");
}

std::string Reference::familiar_name() const {
  if (!registry.is_docker_hub()) return registry.domain + "/" + repository;
  std::string_view path = repository;
  if (path.starts_with(kOfficialPrefix) &&
      path.find('/', kOfficialPrefix.size()) == std::string_view::npos) {
    path.remove_prefix(kOfficialPrefix.size());
  }
  return std::string(path);
}

std::string Reference::familiar() const {
  std::string text = familiar_name();
  if (tag) text += ":" + *tag;
  if (digest) text += "@" + digest->string();
  return text;
}

std::string Reference::string() const {
  std::string text = registry.domain + "/" + repository;
  if (tag) text += ":" + *tag;
  if (digest) text += "@" + digest->string();
  return text;
}

}  // namespace hocker::ref
