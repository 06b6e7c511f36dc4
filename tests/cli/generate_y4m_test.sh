#!/usr/bin/env bash
# Video out without any media library: `generate --out clip.y4m`, `generate --out -` (the Y4M stream on stdout),
# Save Video's y4m format through `run`, and `--timings FILE.json` of both; ffprobe reads every stream back
# (frame count, size, frame rate). Works in builds without FFmpeg (the device preset).
#   generate_y4m_test.sh SANAVIDEO FFPROBE WORK_DIR GRAPHS_DIR
set -u
sanavideo=$1
ffprobe=$2
work=$3
graphs=$4
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
# "frames,width,height,rate" of the first video stream, decoded by ffprobe
probe() {
    "$ffprobe" -v error -count_frames -select_streams v:0 \
        -show_entries stream=nb_read_frames,width,height,r_frame_rate -of csv=p=0 "$1"
}
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }

"$sanavideo" make-demo-model "$work/model" >/dev/null || fail "make-demo-model"
common=(--model "$work/model" --prompt "a red fox" --height 48 --width 64 --frames 9 --steps 2 --no-binning
    --device cpu --fps 24)

"$sanavideo" generate "${common[@]}" --out "$work/fox.y4m" --timings "$work/gen.json" >"$work/gen.txt" 2>&1 ||
    { cat "$work/gen.txt"; fail "generate --out fox.y4m"; }
grep -q "wrote $work/fox.y4m (9 frames, 64x48, 24 fps)" "$work/gen.txt" || { cat "$work/gen.txt"; fail "summary"; }
head -c 9 "$work/fox.y4m" | grep -q "YUV4MPEG2" || fail "fox.y4m has no YUV4MPEG2 header"
[ "$(probe "$work/fox.y4m")" = "64,48,24/1,9" ] || fail "ffprobe fox.y4m: $(probe "$work/fox.y4m"), expected 64,48,24/1,9"
# 9 frames of 64x48 4:2:0: the header line plus 9 x ("FRAME\n" + 4608 bytes)
size=$(stat -c %s "$work/fox.y4m")
header=$(head -n 1 "$work/fox.y4m" | wc -c)
[ "$size" = $((header + 9 * (6 + 64 * 48 * 3 / 2))) ] || fail "fox.y4m is $size bytes"
ls -a "$work" | grep -q sanavideo-generate && fail "a staging folder was left behind"

# --timings: the stages of the default graph, each run, and the memory figures
for key in load_s text_encode_s sampling_s decode_s write_s; do
    v=$(field "$work/gen.json" "['stages']['$key']") || fail "gen.json has no stages.$key"
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)" "$v" || fail "stages.$key = $v"
done
[ "$(field "$work/gen.json" "['device']")" = cpu ] || [ -n "$(field "$work/gen.json" "['peak_vram_gib']")" ] ||
    fail "gen.json: no device"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 10 else 1)" "$(field "$work/gen.json" "['peak_rss_mib']")" ||
    fail "gen.json: peak_rss_mib"
# The split: anonymous memory (sampled) is non-zero and, with the mapped files, within the kernel's peak.
python3 - "$work/gen.json" <<'PY' || fail "gen.json: peak_rss_anon_mib / peak_rss_file_mib"
import json, sys
t = json.load(open(sys.argv[1]))
anon, file, peak = t["peak_rss_anon_mib"], t["peak_rss_file_mib"], t["peak_rss_mib"]
sys.exit(0 if 1 < anon <= peak + 1 and 0 <= file <= peak + 1 else 1)
PY
[ "$(field "$work/gen.json" "['nodes'][3]['id']")" = sampler ] || fail "gen.json: the fourth node is not the sampler"

# An existing file is refused without --overwrite and replaced with it.
"$sanavideo" generate "${common[@]}" --out "$work/fox.y4m" >"$work/again.txt" 2>&1 && fail "replaced fox.y4m"
grep -q "exists (add --overwrite" "$work/again.txt" || { cat "$work/again.txt"; fail "no 'exists' message"; }

# --out -: the stream on stdout (the same bytes as the file: same seed), the messages on stderr
"$sanavideo" generate "${common[@]}" --out - >"$work/stdout.y4m" 2>"$work/stdout.txt" ||
    { cat "$work/stdout.txt"; fail "generate --out -"; }
cmp -s "$work/fox.y4m" "$work/stdout.y4m" || fail "--out - wrote other bytes than --out fox.y4m"
grep -q "wrote a Y4M stream to stdout (9 frames" "$work/stdout.txt" || { cat "$work/stdout.txt"; fail "stdout summary"; }
if command -v ffmpeg >/dev/null; then
    "$sanavideo" generate "${common[@]}" --out - 2>/dev/null |
        ffmpeg -v error -f yuv4mpegpipe -i - -f rawvideo -pix_fmt rgb24 "$work/piped.rgb" || fail "pipe into ffmpeg"
    [ "$(stat -c %s "$work/piped.rgb")" = $((9 * 64 * 48 * 3)) ] || fail "ffmpeg read $(stat -c %s "$work/piped.rgb") bytes"
fi

# run: Save Video's y4m format in the graph, with --timings
"$sanavideo" run "$graphs/text-to-video.json" --output-dir "$work/run" --timings "$work/run.json" \
    --set "load_model.folder=$work/model" --set load_model.device=cpu --set sampler.width=64 \
    --set sampler.height=48 --set sampler.frames=9 --set sampler.steps=2 --set sampler.resolution_binning=false \
    --set "text_encode.prompt=a red fox" --set save_video.format=y4m >"$work/run.txt" 2>&1 ||
    { cat "$work/run.txt"; fail "run with save_video.format=y4m"; }
out=$(ls "$work/run"/*.y4m) || fail "run wrote no .y4m"
[ "$(probe "$out")" = "64,48,16/1,9" ] || fail "ffprobe $out: $(probe "$out")"
[ "$(field "$work/run.json" "['command']")" = run ] || fail "run.json: command"
echo "generate_y4m_test: ok"
