#!/usr/bin/env bash
# Configures and builds one preset (debug, release, asan): bash scripts/build.sh [PRESET]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
# Configure every time (about a second): a changed preset or CMakeLists then takes effect.
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -- -k 0 >/dev/null || cmake --build --preset "$preset"
