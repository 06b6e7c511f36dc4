#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (seconds, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
if [ ! -f tests/fuzz/CMakeLists.txt ]; then echo "no fuzz targets"; exit 0; fi
cmake --preset fuzz
cmake --build --preset fuzz
for f in build/fuzz/tests/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "-- $name for ${secs}s"
  "$f" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 "$work"
  rm -rf "$work"
done
