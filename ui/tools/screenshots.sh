#!/usr/bin/env bash
# Screenshots of the editor under Xvfb (1600x1000), on a demo model: first start, a run in progress, an error,
# the finished viewer, and the Prompt Track panel idle and mid-run (LongSANA demo model). Look at every picture
# after a change to the editor's look;
# docs/screenshot.png is finished.png.
#   ui/tools/screenshots.sh [BUILD_DIR] [OUT_DIR]      (defaults: build/release, BUILD_DIR/screenshots)
# Needs xvfb-run and a build with sanavideo-studio, the sanavideo CLI and the node pack.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
out=${2:-$build/screenshots}
studio=$build/ui/sanavideo-studio
mkdir -p "$out"
out=$(cd "$out" && pwd)
model=$out/demo-model
[ -f "$model/model_index.json" ] || "$build/cli/sanavideo" make-demo-model "$model" >/dev/null

# A scratch home for each picture: no settings, autosaves or job history of your sessions (or of the other
# pictures); runs write into it.
export HOME=$out/home XDG_CONFIG_HOME=$out/home/config XDG_DATA_HOME=$out/home/data
unset QT_QPA_PLATFORM

# The text-to-video template at a size the CPU runs in seconds (random weights: the pictures are noise).
# The demo model has no trained sizes, so resolution binning (on by default, as in diffusers) is turned off.
tiny=(--set load_model.folder="$model" --set load_model.device=cpu --set sampler.width=192
      --set sampler.height=112 --set sampler.frames=17 --set sampler.resolution_binning=false)

shot() {  # name, studio arguments...; exit code 3 (a failed job) is expected for the error picture
    local name=$1 rc=0
    shift
    rm -rf "$HOME"
    xvfb-run -a -s "-screen 0 1600x1000x24" "$studio" "$@" --screenshot "$out/$name.png" >/dev/null 2>&1 || rc=$?
    if [ "$rc" -ne 0 ] && ! { [ "$name" = error ] && [ "$rc" -eq 3 ]; }; then
        echo "screenshots: $name failed (exit $rc)" >&2
        exit 1
    fi
    echo "$out/$name.png"
}

shot first-start
shot running "${tiny[@]}" --set sampler.steps=60 --run --screenshot-at step:20
shot error "$root/resources/graphs/image-to-video.json" --run  # no model folder: Load Model fails
shot finished "${tiny[@]}" --set sampler.steps=12 --run

# The Prompt Track panel on the long-video template and a LongSANA demo model: idle (rows from the track,
# one per change), and mid-run (chunks done, rendering, to come).
long=$out/demo-longsana
[ -f "$long/model_index.json" ] || "$build/cli/sanavideo" make-demo-model "$long" --family longsana >/dev/null
longset=(--set load_model.folder="$long" --set load_model.device=cpu --set long_video.width=64
         --set long_video.height=64 --set long_video.frames=93 --set long_video.chunk_frames=3
         --set "long_video.prompt_track=0: A red fox trots through fresh snow at dawn.
3: The fox stops at a frozen stream and looks up as the sun rises.
6: A blue whale sings in the deep sea.")
shot prompt-track-idle "$root/resources/graphs/long-video.json" "${longset[@]}"
shot prompt-track-running "$root/resources/graphs/long-video.json" "${longset[@]}" --run --screenshot-at step:3
