#!/usr/bin/env bash
# Builds the tsan preset (ThreadSanitizer) and runs the unit tests of the modules that use
# threads: blob (the hand-off between a layer's pipeline threads), archive (concurrent entry
# placement, scheduler, blob prefetch, the layer pipeline's threads), cache (two writers
# on one directory), http (transport against a threaded test server), auth (the token cache
# shared by concurrent downloads) and registry (one client shared by concurrent layer
# downloads, a blob's chunks fetched over several connections). Any data race fails the run.
# Usage: bash scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(blob http auth registry archive cache)
targets=()
for module in "${modules[@]}"; do targets+=("hocker_${module}_tests"); done

bash scripts/install-deps.sh --build-only
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target "${targets[@]}" >/dev/null ||
  cmake --build --preset tsan --target "${targets[@]}"

# halt_on_error: the first race fails the run; second_deadlock_stack helps read lock cycles.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
for module in "${modules[@]}"; do
  echo "tsan: hocker_${module}_tests" >&2
  "build/tsan/src/hocker/$module/hocker_${module}_tests" --gtest_brief=1
done
echo "tsan: ${#modules[@]} test binaries ran without a data race" >&2
