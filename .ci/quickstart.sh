#!/usr/bin/env bash
# Installs dependencies, builds, and runs the main job on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
source .ci/env.sh
cmake --preset release
cmake --build --preset release
./build/release/cli/sanavideo version
./build/release/cli/sanavideo info tests/data/reference/full_size
./build/release/cli/sanavideo schedule --scheduler dpm --steps 20
