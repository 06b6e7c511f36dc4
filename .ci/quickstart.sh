#!/usr/bin/env bash
# Installs dependencies, builds, writes the tiny demo model and generates a short video from it (no download:
# the demo model has random weights, so the video is noise-like — see "Using the real model" in README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
source .ci/env.sh
cmake --preset release
cmake --build --preset release
sv=./build/release/cli/sanavideo
$sv version
$sv make-demo-model build/demo-model
$sv info build/demo-model
$sv generate --model build/demo-model --prompt "A red fox trotting through fresh snow at dawn" \
  --height 64 --width 64 --frames 9 --steps 4 --no-binning --seed 42 --out build/demo-video.mp4 --overwrite
# The 720p layout (LTX-2 VAE, 1x1x1 patches): sizes multiples of 32, frames 8k+1.
$sv make-demo-model build/demo-model-720p --family 720p
$sv generate --model build/demo-model-720p --prompt "A red fox trotting through fresh snow at dawn" \
  --height 64 --width 96 --frames 9 --steps 4 --no-binning --seed 42 --out build/demo-video-720p.mp4 --overwrite
echo "the demo videos are at $(pwd)/build/demo-video.mp4 and $(pwd)/build/demo-video-720p.mp4"
# LongSANA's long path on the CPU: a tiny LongSANA folder, three chunks of a 64x64 clip with two prompts.
$sv make-demo-model build/demo-longsana --family longsana
$sv generate --model build/demo-longsana --prompt "A red fox trotting through fresh snow <split> The fox leaps a stream" \
  --height 64 --width 64 --frames 33 --chunk-frames 3 --no-binning --seed 42 --out build/demo-long-video.mp4 --overwrite
echo "the LongSANA demo video is at $(pwd)/build/demo-long-video.mp4"
