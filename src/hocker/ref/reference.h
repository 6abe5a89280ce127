// Image references: Docker's grammar and normalisation (distribution/reference), the classic
// NAME TAG [--registry URI] form, and where a registry is. Fetching is left to registry/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hocker/digest/digest.h"

namespace hocker::ref {

/// Docker Hub's domain as references write it.
inline constexpr std::string_view kDockerHubDomain = "docker.io";

/// Whether `host` (no port; ASCII case ignored) is one of Docker Hub's names: "docker.io",
/// "index.docker.io" (docker's config and v1 name) or "registry-1.docker.io" (its API host).
bool is_docker_hub_host(std::string_view host);

/// Where a registry is and how to reach it.
struct Registry {
  /// As written in references: "docker.io", "localhost:5000", "[::1]:5000", "ghcr.io".
  std::string domain;
  /// "https" or "http"; empty when not said (the client decides: https, with an http fallback
  /// for loopback hosts).
  std::string scheme;

  /// The host (and port) to contact: "registry-1.docker.io" for docker.io, else domain.
  std::string api_host() const;
  /// scheme + "://" + api_host(), with scheme "https" when empty. No trailing slash.
  std::string base_url() const;
  bool is_docker_hub() const;
  /// localhost, 127.0.0.0/8 or [::1], with any port.
  bool is_loopback() const;
  /// Parses a --registry URI: "https://registry.example.com:5000", "http://127.0.0.1:5000/v2/",
  /// "https://registry-1.docker.io/v2/" (→ domain docker.io), "registry.example.com" (no
  /// scheme). A trailing "/v2" or "/v2/" is tolerated; other paths, userinfo, queries,
  /// fragments and schemes other than http/https throw Error(kUsage).
  static Registry parse_uri(std::string_view uri);

  bool operator==(const Registry&) const = default;
};

/// A validated, normalised image reference. Its repository is safe to use in URL paths and,
/// component by component, as file names (no empty, "." or ".." components).
struct Reference {
  /// docker.io when the reference names none.
  Registry registry;
  /// "library/debian", "team/api".
  std::string repository;
  /// "latest" by default when neither tag nor digest is given.
  std::optional<std::string> tag;
  std::optional<digest::Digest> digest;

  /// Docker's reference grammar with its normalisation: "debian" → docker.io/library/debian:
  /// latest; "docker.io/x" and "index.docker.io/x" → docker.io; the first component is a domain
  /// when it contains '.' or ':', is "localhost" or has uppercase letters; repository path
  /// components [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*, whole name ≤ 255 characters; tag
  /// [\w][\w.-]{0,127}; "name:tag@sha256:..." keeps both. "localhost:5000" alone is repository
  /// library/localhost with tag 5000, as in Docker. Throws Error(kUsage) with a one-line reason
  /// ("invalid reference \"Foo\": repository name must be lowercase").
  static Reference parse(std::string_view text);

  /// The classic pair: NAME ("library/debian", "team/api"; a one-component name on Docker Hub
  /// gets "library/") and TAG (empty: no tag, as hocker-layer allows; a "sha256:..." digest is
  /// taken as the digest), with an optional --registry URI (default Docker Hub). NAME is a
  /// repository path without a domain. Throws Error(kUsage).
  static Reference from_classic(std::optional<std::string_view> registry_uri, std::string_view name,
                                std::string_view tag);

  /// What goes after /manifests/: the digest string when set, else the tag (empty when
  /// neither).
  std::string identifier() const;
  /// What `docker pull` would name the image: "debian:jessie" for Docker Hub library images,
  /// "team/app:1" for other Docker Hub repositories, "localhost:5000/team/api:dev" elsewhere;
  /// "name@sha256:..." with a digest only, "name:tag@sha256:..." with both.
  std::string familiar() const;
  /// The repository as `docker pull` names it, without tag or digest ("debian", "team/app",
  /// "ghcr.io/org/app").
  std::string familiar_name() const;
  /// Fully qualified: "docker.io/library/debian:jessie", with "@sha256:..." when set.
  std::string string() const;

  bool operator==(const Reference&) const = default;
};

}  // namespace hocker::ref
