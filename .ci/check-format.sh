#!/usr/bin/env bash
# Fails when a tracked C++/CUDA source drifts from .clang-format (Debian 12's clang-format 14, as CI installs).
#   .ci/check-format.sh          check (exit 1 and list the files that drift)
#   .ci/check-format.sh --fix    reformat them in place
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.cu' '*.cuh')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
drift=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || drift+=("$f")
done
if [ "${#drift[@]}" -gt 0 ]; then
  echo "clang-format: ${#drift[@]} file(s) drift from .clang-format (run .ci/check-format.sh --fix):"
  printf '  %s\n' "${drift[@]}"
  exit 1
fi
echo "clang-format: ${#files[@]} files clean"
