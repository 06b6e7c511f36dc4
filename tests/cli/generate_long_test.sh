#!/usr/bin/env bash
# LongSANA end to end on the CPU with the tiny LongSANA demo model: make-demo-model --family longsana, info,
# generate (three chunks of a 64×64 clip, MP4 and Y4M, frame counts by ffprobe), Ctrl-C after some chunks (exit
# 130, the MP4 keeps the finished chunks and plays), and a killed run (SIGKILL: the fragmented MP4 written so far
# still plays). Usage: generate_long_test.sh SANAVIDEO FFPROBE WORK_DIR
set -u
sanavideo=$1
ffprobe=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
frames_of() { "$ffprobe" -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

"$sanavideo" make-demo-model "$work/model" --family longsana >/dev/null || fail "make-demo-model --family longsana"
"$sanavideo" info "$work/model" >"$work/info.txt" 2>&1 || fail "info"
grep -q "SanaVideoCausalTransformer3DModel" "$work/info.txt" || { cat "$work/info.txt"; fail "info names no causal transformer"; }

# 9 latent frames in chunks of 3 = 33 frames; the folder is detected as LongSANA (no --long needed).
common=(--model "$work/model" --prompt "a red fox<split>a blue whale" --height 64 --width 64 --no-binning --seed 3)
"$sanavideo" generate "${common[@]}" --frames 33 --chunk-frames 3 --out "$work/fox.mp4" --timings "$work/t.json" \
  >"$work/gen.txt" 2>&1 || { cat "$work/gen.txt"; fail "generate mp4"; }
# --timings counts the Long Video node's time as its own stage.
python3 -c "import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))['stages']['long_video_s'] > 0 else 1)" \
  "$work/t.json" || { cat "$work/t.json"; fail "t.json: no stages.long_video_s"; }
n=$(frames_of "$work/fox.mp4"); [ "$n" = 33 ] || fail "fox.mp4 has $n frames, expected 33"
"$sanavideo" generate "${common[@]}" --frames 33 --chunk-frames 3 --out "$work/fox.y4m" >/dev/null 2>&1 || fail "generate y4m"
n=$(frames_of "$work/fox.y4m"); [ "$n" = 33 ] || fail "fox.y4m has $n frames, expected 33"

# Ctrl-C once a few chunks are done: exit 130, and the MP4 keeps whole chunks (9 + 12k frames) and plays.
long=(--frames 237 --chunk-frames 3 --out "$work/cancel.mp4")
"$sanavideo" generate "${common[@]}" "${long[@]}" 2>"$work/cancel.txt" &
pid=$!
for _ in $(seq 1 1200); do grep -q "generating \[[#-]*\] [3-9]/" "$work/cancel.txt" 2>/dev/null && break; sleep 0.05; done
kill -INT "$pid"; wait "$pid"; rc=$?
[ "$rc" -eq 130 ] || { cat "$work/cancel.txt"; fail "Ctrl-C: exit code $rc, expected 130"; }
grep -q "keeps the" "$work/cancel.txt" || fail "no cancel message"
n=$(frames_of "$work/cancel.mp4")
[ -n "$n" ] && [ "$n" -ge 21 ] && [ "$n" -lt 237 ] && [ $(( (n - 9) % 12 )) -eq 0 ] ||
  fail "after Ctrl-C cancel.mp4 has '$n' frames (expected whole chunks: 9 + 12k, at least 21)"

# A killed run (no chance to finish the file): the fragments written so far still play.
"$sanavideo" generate "${common[@]}" --frames 237 --chunk-frames 3 --out "$work/killed.mp4" 2>"$work/killed.txt" &
pid=$!
for _ in $(seq 1 1200); do grep -q "generating \[[#-]*\] [3-9]/" "$work/killed.txt" 2>/dev/null && break; sleep 0.05; done
kill -KILL "$pid"; wait "$pid" 2>/dev/null
n=$(frames_of "$work/killed.mp4")
[ -n "$n" ] && [ "$n" -ge 21 ] && [ $(( (n - 9) % 12 )) -eq 0 ] ||
  fail "after SIGKILL killed.mp4 has '$n' frames (expected the flushed chunks: 9 + 12k, at least 21)"
# A prompt file edited while the video renders: the later chunks read the new prompt.
printf '0: a red fox\n' > "$work/prompts.txt"
"$sanavideo" generate "${common[@]}" --frames 93 --chunk-frames 3 --prompt-file "$work/prompts.txt" \
  --out "$work/live.mp4" 2>"$work/live.txt" &
pid=$!
for _ in $(seq 1 1200); do grep -q "generating \[[#-]*\] [2-9]/" "$work/live.txt" 2>/dev/null && break; sleep 0.05; done
printf '0: a red fox\n5: a blue whale\n' > "$work/prompts.txt"
touch -d "+5 seconds" "$work/prompts.txt"
wait "$pid" || { cat "$work/live.txt"; fail "generate --prompt-file"; }
grep -q "prompts re-read from" "$work/live.txt" || { cat "$work/live.txt"; fail "the edited prompt file was not re-read"; }

# Continue a clip with the regular model: image-to-video from its last frame, appended (9 + 8 frames).
"$sanavideo" make-demo-model "$work/regular" >/dev/null || fail "make-demo-model"
reg=(--model "$work/regular" --prompt "a fox" --height 64 --width 64 --frames 9 --steps 2 --no-binning)
"$sanavideo" generate "${reg[@]}" --seed 1 --out "$work/a.mp4" >/dev/null 2>&1 || fail "generate a.mp4"
"$sanavideo" generate "${reg[@]}" --seed 2 --continue "$work/a.mp4" --out "$work/b.mp4" >/dev/null 2>&1 ||
  fail "generate --continue"
c=$(frames_of "$work/b.mp4"); [ "$c" = 17 ] || fail "b.mp4 continues a.mp4 with $c frames, expected 17"

echo "ok: 33-frame MP4 and Y4M; live prompt-file edit; continued clip 17 frames; Ctrl-C kept $(frames_of "$work/cancel.mp4") frames; SIGKILL kept $n frames"
