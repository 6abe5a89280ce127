// docker2nix's output: the Nix expression that pins an image for nixpkgs' `fetchdocker`
// (docs/spec.md §3.6). Formatting only; reading manifests and fetching blobs are left to other
// modules.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hocker/digest/digest.h"
#include "hocker/nix/escape.h"
#include "hocker/nix/hash.h"

// What nixpkgs' fetchers (pkgs/build-support/fetchdocker/) take and run, which the expression
// and the classic CLI must fit:
//
// - default.nix, `fetchdocker { name, registry ? "https://registry-1.docker.io/v2/",
//   repository ? "library", imageName, tag, imageLayers, imageConfig, image ? … }`. It asserts
//   that neither `repository` nor `imageName` contains '/' (they name store paths). It writes
//   manifest.json with RepoTags "<registry without scheme>/<repository>/<imageName>:<tag>"
//   (double slashes collapsed through a path), `repositories` naming `lib.last` of the layers
//   (so an empty layer list fails), and a builder making $out/compositeImage.sh (tar | docker
//   load).
// - generic-fetcher.nix, `{ fetcher, name, registry ? "https://registry-1.docker.io/v2/",
//   repository ? "library", imageName, sha256, tag ? "", layerDigest ? "" }` (closed: `hash` is
//   not accepted, so an SRI hash goes in `sha256`). Asserts fetcher ∈ {hocker-config,
//   hocker-layer} and that layerDigest has no "sha256:" prefix. Fixed output: outputHashMode
//   "flat", outputHashAlgo "sha256", outputHash = sha256; impureEnvVars DOCKER_USER, DOCKER_PASS,
//   DOCKER_TOKEN (else read from a credentials file: DOCKER_TOKEN= / DOCKER_USER= + DOCKER_PASS=),
//   SSL_CERT_FILE = cacert's bundle. Its bash builder runs (one command, continued lines):
//     ${fetcher} --out="$out" ${registry:+--registry "$registry"}
//       ${DOCKER_USER:+--username "$DOCKER_USER"} ${DOCKER_PASS:+--password "$DOCKER_PASS"}
//       ${DOCKER_TOKEN:+--token "$DOCKER_TOKEN"}
//       --layer <hex>            (only when layerDigest != "", unquoted)
//       "<repository>/<imageName>" "<tag>" +RTS -N${NIX_BUILD_CORES} -RTS
//   where repository, imageName and tag are spliced in by Nix, unescaped.
// - fetchDockerConfig.nix: generic-fetcher ({ fetcher = "hocker-config";
//   name = "${repository}_${imageName}_${tag}-config.json"; tag = "unused"; } // args); our
//   expression passes the real `tag`, which wins.
// - fetchDockerLayer.nix: generic-fetcher ({ fetcher = "hocker-layer";
//   name = "docker-layer-${layerDigest}.tar.gz"; tag = "unused"; } // args); our expression
//   passes no tag, so hocker-layer receives the tag "unused" (a generic-fetcher call without a
//   tag would pass ""): the layer command must ignore its tag.
//
// Deeper repository paths ("org/team/app"): generic-fetcher alone would tolerate
// repository = "org/team" (no assert; it splices "${repository}/${imageName}"), but
// fetchdocker's asserts reject it and fetchDockerConfig's default name would hold a '/', which
// no store path name may. No expression of the docs/spec.md §3.6 shape is faithful, so
// split_repository refuses them.

namespace hocker::nix {

/// Splits a repository path (without the registry host) into fetchdocker's `repository` and
/// `imageName`: "library/debian" → {"library", "debian"}, "team/api" → {"team", "api"}, a
/// single component "debian" → {"library", "debian"}. Throws Error(kFormat) for three or more
/// components (fetchdocker asserts neither part contains '/'; the message says so and suggests
/// hocker-image) and Error(kUsage) for an empty path or an empty component.
std::pair<std::string, std::string> split_repository(std::string_view repository_path);

/// Whether `name` is a valid Nix store path name (Nix 2.8: 1 to 211 characters of
/// [A-Za-z0-9+-._?=], not starting with '.').
bool is_valid_store_name(std::string_view name);

/// Everything docker2nix writes into the expression.
struct FetchdockerInput {
  std::string name;                    ///< derivation name (imageName unless --altName)
  std::string registry;                ///< "https://registry-1.docker.io/v2/" style (with /v2/)
  std::string repository;              ///< "library"
  std::string image_name;              ///< "debian"
  std::string tag;                     ///< "jessie"
  digest::Digest config;               ///< config digest (sha256)
  std::vector<digest::Digest> layers;  ///< manifest order; repeated layers kept as they appear
  HashFormat hash_format = HashFormat::kBase32;
};

/// The expression of docs/spec.md §3.6, byte for byte in that shape: two-space indent, `layer0`,
/// `layer1` … bindings, `in [ layer0 layer1 ];`, a final newline; strings escaped; hashes in
/// `input.hash_format` (SRI goes in the `sha256` attribute too, which Nix accepts as an
/// outputHash). The same input gives the same bytes. Throws Error(kFormat) when the config or a
/// layer digest is not sha256 (fetchdocker's fixed-output hashes are sha256), when there are no
/// layers (fetchdocker needs a top layer), or when repository or image_name is empty or holds a
/// '/' (fetchdocker asserts against it); Error(kUsage) when `name` is not a valid store path
/// name (e.g. a bad --altName).
std::string render_fetchdocker(const FetchdockerInput& input);

}  // namespace hocker::nix
