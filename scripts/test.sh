#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (CTest) and the
# integration tests against a real local registry (pytest).
#   bash scripts/test.sh            debug build
#   bash scripts/test.sh asan       AddressSanitizer + UndefinedBehaviorSanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-debug}"

bash scripts/install-deps.sh
bash scripts/build.sh "$preset"

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
ctest --test-dir "build/$preset" --output-on-failure -j 2

export HOCKER_BIN="$PWD/build/$preset/src/cli/hocker"
# Real third-party consumers (marked "consumer") check what hocker writes, not how it runs:
# the debug run has them, the sanitizer run skips them to keep CI short.
select=()
[ "$preset" = asan ] && select=(-m "not consumer")
/usr/bin/python3 -m pytest -rs -q -p no:cacheprovider "${select[@]}" tests/scripts tests/integration
