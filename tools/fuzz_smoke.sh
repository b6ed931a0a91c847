#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a short time on a copy of its seed corpus.
#   tools/fuzz_smoke.sh BUILD_DIR SECONDS
# BUILD_DIR is a build configured with -DSATCHEL_FUZZ=ON (clang) whose `satchel_fuzz` target
# is built. One line per target; exit status 1 when a target is missing, crashes, leaks or
# times out (the crashing input and the log are kept in BUILD_DIR/fuzz-artifacts/).
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd) || exit 2
seconds=$2
source_dir=$(cd "$(dirname "$0")/.." && pwd)
artifacts="$build/fuzz-artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/satchel-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

status=0
targets=$(cd "$source_dir/tests/fuzz" && ls fuzz_*.cpp 2>/dev/null | sed 's/\.cpp$//')
if [ -z "$targets" ]; then
  echo "fuzz: no targets in $source_dir/tests/fuzz" >&2
  exit 1
fi
for target in $targets; do
  bin="$build/tests/fuzz/$target"
  if [ ! -x "$bin" ]; then
    echo "$target: FAIL (not built: $bin)"
    status=1
    continue
  fi
  corpus="$work/$target/corpus"
  mkdir -p "$corpus"
  if [ -d "$source_dir/tests/fuzz/corpus/$target" ]; then
    cp "$source_dir/tests/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null
  fi
  log="$work/$target/log"
  # -timeout: one input taking longer than this is a hang; -rss_limit_mb: a leak or blow-up.
  "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$work/$target/" "$corpus" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
  if [ $rc -eq 0 ] && [ -n "$runs" ]; then
    echo "$target: ok ($runs runs in ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs)"
  else
    mkdir -p "$artifacts"
    cp "$log" "$artifacts/$target.log"
    for f in "$work/$target"/crash-* "$work/$target"/leak-* "$work/$target"/timeout-* \
             "$work/$target"/oom-*; do
      [ -e "$f" ] && cp "$f" "$artifacts/$target-$(basename "$f")"
    done
    echo "$target: FAIL (exit $rc; log and input in $artifacts/)"
    grep -m 3 -E 'ERROR: |SUMMARY: |runtime error' "$log" | sed 's/^/  /'
    status=1
  fi
done
exit $status
