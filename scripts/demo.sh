#!/usr/bin/env bash
# The main job, end to end on this machine: install what is needed, build, start a local
# registry holding a sample image, fetch it with hocker-image, and show the tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
/usr/bin/python3 tests/integration/demo.py "$PWD/build/release/src/cli" "$PWD/out"
