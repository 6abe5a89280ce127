#!/usr/bin/env bash
# hocker benchmark: bash bench/run.sh [--build] [--size-mib 1024] [--runs 3] [...]
# (`bash bench/run.sh --help` lists every option.)  Needs the packages of
# `bash scripts/install-deps.sh`; builds the release binary if it is missing, or with --build.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in docker-registry skopeo curl igzip sha256sum openssl gcc /usr/bin/time /usr/bin/python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench: $tool missing: run bash scripts/install-deps.sh" >&2
    exit 1
  fi
done
args=()
build=0
for arg in "$@"; do
  if [[ $arg == --build ]]; then build=1; else args+=("$arg"); fi
done
bin=build/release/src/cli/hocker
if [[ $build == 1 || ! -x $bin ]]; then
  echo "bench: building the release binary (bash scripts/build.sh release)" >&2
  bash scripts/build.sh release
elif [[ -n $(find src CMakeLists.txt -newer "$bin" -type f -print -quit) ]]; then
  echo "bench: warning: $bin is older than src/ (pass --build to rebuild it first)" >&2
fi
exec /usr/bin/python3 bench/bench.py "${args[@]}"
