// The names an image archive records for its image (docker load's RepoTags, the OCI index's
// annotations), derived from the reference it was asked for: one rule for every command that
// writes an archive, whether its blobs come from a registry or from files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hocker/ref/reference.h"

namespace hocker::archive {

/// The ImageSource fields that name the image.
struct ImageNames {
  std::vector<std::string> repo_tags;  ///< ImageSource::repo_tags.
  std::string oci_ref_name;            ///< ImageSource::oci_ref_name.
  std::string oci_image_name;          ///< ImageSource::oci_image_name.
};

/// The names `docker pull` gives the image, for docker load's RepoTags: the familiar reference
/// without any digest ({"debian:jessie"}, {"localhost:5000/team/app:v1"}); none when the
/// reference names a digest only.
std::vector<std::string> repo_tags(const ref::Reference& reference);

/// The names of an archive of `reference`: repo_tags(reference), or {tag} when a --tag is
/// given; the reference's tag as the OCI ref name and its full name without digest as the
/// containerd image name (both empty for a reference pinned by digest alone).
ImageNames image_names(const ref::Reference& reference, const std::optional<std::string>& tag);

}  // namespace hocker::archive
