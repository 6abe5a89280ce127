#include "hocker/archive/image_names.h"

namespace hocker::archive {
namespace {

// The reference named by its tag alone: "debian:jessie", not "debian:jessie@sha256:…".
ref::Reference without_digest(const ref::Reference& reference) {
  ref::Reference named = reference;
  named.digest.reset();
  return named;
}

}  // namespace

std::vector<std::string> repo_tags(const ref::Reference& reference) {
  if (!reference.tag) return {};
  return {without_digest(reference).familiar()};
}

ImageNames image_names(const ref::Reference& reference, const std::optional<std::string>& tag) {
  ImageNames names;
  names.repo_tags = tag ? std::vector<std::string>{*tag} : repo_tags(reference);
  names.oci_ref_name = reference.tag.value_or("");
  names.oci_image_name = reference.tag ? without_digest(reference).string() : "";
  return names;
}

}  // namespace hocker::archive
