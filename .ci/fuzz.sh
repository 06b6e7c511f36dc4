#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (only them: `--target sv_fuzzers`) and runs each for a bounded time,
# as many at a time as there are cores (at most SV_FUZZ_JOBS):
#   .ci/fuzz.sh [SECONDS_PER_TARGET]   (default 40: 11 targets, 2 at a time, about 4 minutes on CI's 2 cores)
# Each target starts from a copy of its committed corpus (tests/fuzz/corpus/<name without fuzz_>), so the inputs
# libFuzzer adds stay out of the tree. Logs go to build/fuzz/fuzz-runs/fuzz_<name>.log; a crash, leak, timeout
# or out-of-memory fails the script and leaves libFuzzer's reproducer there (fuzz_<name>-crash-<sha1>): replay
# it with `build/fuzz/tests/fuzz/fuzz_<name> FILE`, fix it and keep it as a unit test (docs/SECURITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-40}
jobs=$(nproc)
jobs=$((jobs < ${SV_FUZZ_JOBS:-2} ? jobs : ${SV_FUZZ_JOBS:-2}))
if [ ! -f tests/fuzz/CMakeLists.txt ]; then echo "no fuzz targets"; exit 0; fi
cmake --preset fuzz
cmake --build --preset fuzz --target sv_fuzzers
out=build/fuzz/fuzz-runs
rm -rf "$out"
mkdir -p "$out"

run_one() {
  local f=$1 name corpus work scratch rc=0
  name=$(basename "$f")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  scratch=$(mktemp -d)  # TMPDIR of the targets that write their input to a file
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  TMPDIR="$scratch" "$f" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$out/$name-" "$work" >"$out/$name.log" 2>&1 || rc=$?
  rm -rf "$work" "$scratch"
  echo "-- $name (${secs}s): $(grep -E '^#[0-9]+' "$out/$name.log" | tail -n 1)"
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$out/$name.log"
    echo "FAILED: $name exited with $rc; reproducer: $(ls "$out/$name"-* 2>/dev/null || echo none)"
    return 1
  fi
}
export -f run_one
export secs out

targets=()
for f in build/fuzz/tests/fuzz/fuzz_*; do [ -x "$f" ] && targets+=("$f"); done
echo "== ${#targets[@]} fuzz targets, ${secs}s each, $jobs at a time"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}
