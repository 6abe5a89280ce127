#!/usr/bin/env bash
# Runs clang-tidy 14 with the checks of .clang-tidy (all errors) over the non-test sources of
# src/, using the debug preset's compile database, 2 files at a time. Prints the findings and
# fails when there are any. Usage: bash scripts/tidy.sh [FILE-REGEX]   (default: every source)
set -euo pipefail
cd "$(dirname "$0")/.."
regex="${1:-^(?!.*_test\.cc$).*/src/.*\.cc$}"

bash scripts/install-deps.sh --build-only
if ! command -v run-clang-tidy-14 >/dev/null; then
  echo "tidy: run-clang-tidy-14 is missing: apt-get install clang-tidy-14" >&2
  exit 1
fi
# Configuring writes compile_commands.json and the generated headers; no build is needed.
cmake --preset debug >/dev/null

log="$(mktemp "${TMPDIR:-/tmp}/hocker-tidy-XXXXXX")"
trap 'rm -f "$log"' EXIT
# GCC-only warning flags in the database are unknown to clang: not our finding.
status=0
run-clang-tidy-14 -p build/debug -j 2 -quiet -extra-arg=-Wno-unknown-warning-option \
  -header-filter='.*/src/(hocker|cli)/.*' "$regex" >"$log" 2>&1 || status=$?
# Keep the diagnostics and their context, not the command lines run-clang-tidy echoes.
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -v -e '^clang-tidy-14 ' -e '^/usr/bin/clang-tidy' \
  -e 'warnings\? generated\.$' -e '^Suppressed ' -e '^Use -header-filter' \
  -e '^Running clang-tidy' -e '^$' >&2 || true
if ((status != 0)); then
  echo "tidy: FAILED (fix the findings above, or argue in .clang-tidy why a check goes)" >&2
  exit 1
fi
echo "tidy: clean" >&2
