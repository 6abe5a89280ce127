#!/usr/bin/env bash
# Builds the release Debian package, build/package/hocker_<version>_amd64.deb, and checks it
# with lintian (errors fail; warnings are printed).
#   bash scripts/package.sh          build and check
#   bash scripts/package.sh --test   also install it with apt as root, run the installed
#                                    commands and man, remove it and check nothing is left
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash scripts/build.sh release
rm -rf build/package
cpack --config build/release/CPackConfig.cmake -B build/package >/dev/null
deb=$(ls build/package/hocker_*.deb)
echo "package: built $deb in $(( $(date +%s) - start )) s"

if command -v lintian >/dev/null; then
  # Root runs lintian fine but it says so: silence that one remark, keep every other.
  lintian --allow-root --fail-on error "$deb" || { echo "package: lintian found errors" >&2; exit 1; }
else
  echo "package: lintian not installed; run scripts/install-deps.sh" >&2
fi

if [[ "${1:-}" != "--test" ]]; then
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
files=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n 's|^\./|/|p' | grep -v '/$')
"${sudo_cmd[@]}" apt-get install -y -qq "./$deb" >/dev/null
/usr/bin/hocker-image --help | grep -q "Usage: hocker-image"
/usr/bin/hocker --version | grep -q "^hocker "
for page in hocker hocker-image hocker-layer hocker-config hocker-manifest docker2nix; do
  man -w "$page" >/dev/null
done
man hocker-image 2>/dev/null | grep -q -- "--format"
"${sudo_cmd[@]}" apt-get remove -y -qq hocker >/dev/null
left=()
for file in $files; do
  if [[ -e "$file" || -L "$file" ]]; then left+=("$file"); fi
done
if ((${#left[@]} > 0)); then
  echo "package: left behind after removal: ${left[*]}" >&2
  exit 1
fi
echo "package: installed, ran, removed cleanly; $(( $(date +%s) - start )) s in all"
