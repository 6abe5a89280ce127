#!/usr/bin/env bash
# Builds the fuzz preset and runs every libFuzzer target in tests/fuzz for SECONDS_TOTAL/4
# seconds each, on a copy of its seed corpus (the repository's seeds stay untouched).
# Fails when a target crashes, leaks, times out or runs out of memory, printing the
# reproducer. Usage: bash scripts/fuzz.sh [SECONDS_TOTAL]   (default 60)
# FUZZ_BUILD_DIR overrides the build directory (default build/fuzz, the preset's).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
total="${1:-60}"
targets=(fuzz_reference fuzz_challenge fuzz_manifest fuzz_credentials fuzz_registry_error
  fuzz_tag_page fuzz_gzip)
per_target=$((total / ${#targets[@]}))
((per_target >= 1)) || per_target=1
build_dir="${FUZZ_BUILD_DIR:-build/fuzz}"

bash scripts/install-deps.sh --build-only
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake --preset fuzz -B "$build_dir" >/dev/null
fi
cmake --build "$build_dir" --target "${targets[@]}" >/dev/null ||
  cmake --build "$build_dir" --target "${targets[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/hocker-fuzz-XXXXXX")"
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp -R "tests/fuzz/corpus/$target/." "$work/$target/corpus/"
  dict=()
  if [[ -f "tests/fuzz/dict/$target.dict" ]]; then dict=(-dict="tests/fuzz/dict/$target.dict"); fi
  echo "fuzz: $target for ${per_target}s" >&2
  if ! "$build_dir/tests/fuzz/$target" "${dict[@]}" -max_total_time="$per_target" -timeout=5 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$target/artifacts/" \
      "$work/$target/corpus" >"$work/$target/log" 2>&1; then
    failed+=("$target")
    tail -n 60 "$work/$target/log" >&2
    for artifact in "$work/$target/artifacts"/*; do
      echo "fuzz: $target: reproducer $artifact" \
           "(rerun: $build_dir/tests/fuzz/$target $artifact)" >&2
    done
  fi
  grep -E '^stat::number_of_executed_units|^Done' "$work/$target/log" | sed "s/^/fuzz: $target: /" >&2 || true
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: FAILED: ${failed[*]} (logs and reproducers kept in $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: all ${#targets[@]} targets ran ${per_target}s each without a finding" >&2
