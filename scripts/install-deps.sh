#!/usr/bin/env bash
# Installs every Debian package hocker needs to build, test and benchmark.
# Idempotent: packages already present are skipped, so a second run costs ~1 s.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config clang clang-format clang-tidy
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev zlib1g-dev libisal-dev
  libzstd-dev libarchive-dev libcli11-dev libgtest-dev
)
test_packages=(
  docker-registry skopeo apache2-utils openssl curl zstd gzip tar
  python3 python3-pytest python3-cryptography python3-jsonschema
  nix-bin docker.io podman uidmap isal time
  lintian man-db zsh fish
)

want=("${build_packages[@]}")
if [[ "${1:-}" != "--build-only" ]]; then
  want+=("${test_packages[@]}")
fi

missing=()
for package in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged registry service listens on :5000 with htpasswd auth; we never use it.
if command -v systemctl >/dev/null 2>&1; then
  "${sudo_cmd[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
