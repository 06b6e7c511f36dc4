#!/usr/bin/env bash
# The README's command for SANA-Video's own text-to-video example (between <!-- example:t2v --> markers):
# it must carry the example's arguments exactly as diffusers' docs/source/en/api/pipelines/sana_video.md
# (snapshot 58eb52c0) passes them, and it must run (on the demo model, shrunk by options appended after it).
# Usage: readme_example_test.sh SANAVIDEO README WORK_DIR
set -euo pipefail
bin=$1 readme=$2 work=$3
rm -rf "$work" && mkdir -p "$work"

block=$(sed -n '/<!-- example:t2v -->/,/<!-- \/example:t2v -->/p' "$readme" | grep -v '^<!--' | grep -v '^```')
[ -n "$block" ] || { echo "no example:t2v block in $readme"; exit 1; }
command=$(printf '%s\n' "$block" | sed -e 's/\\$//' | tr '\n' ' ')
eval "set -- $command"
[ "$1" = "./build/release/cli/sanavideo" ] || { echo "the block does not start with the sanavideo binary: $1"; exit 1; }
shift
[ "$1" = "generate" ] || { echo "not a generate command: $1"; exit 1; }
shift
args=("$@")

# The example's arguments (the docs' t2v example; the prompt gets " motion score: 30." appended by
# --motion-score, as the example appends motion_prompt to it).
prompt="A cat and a dog baking a cake together in a kitchen. The cat is carefully measuring flour, while the dog is stirring the batter with a wooden spoon. The kitchen is cozy, with sunlight streaming through the window."
negative="A chaotic sequence with misshapen, deformed limbs in heavy motion blur, sudden disappearance, jump cuts, jerky movements, rapid shot changes, frames out of sync, inconsistent character shapes, temporal artifacts, jitter, and ghosting effects, creating a disorienting visual experience."
expect() {  # expect FLAG VALUE: FLAG appears once, followed by VALUE
  local n=0 i
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[i]}" = "$1" ]; then
      n=$((n + 1))
      [ "${args[i + 1]:-}" = "$2" ] || { echo "$1 is '${args[i + 1]:-}', the example has '$2'"; exit 1; }
    fi
  done
  [ $n -eq 1 ] || { echo "$1 appears $n times (expected once)"; exit 1; }
}
expect --prompt "$prompt"
expect --negative-prompt "$negative"
expect --motion-score 30
expect --height 480
expect --width 832
expect --frames 81
expect --guidance 6
expect --steps 50
expect --generator cuda
expect --seed 0
expect --fps 16
for a in "${args[@]}"; do
  case "$a" in --scheduler|--flow-shift|--no-chi|--no-binning|--dtype|--sigmas|--timesteps|--lora)
    echo "$a changes a setting the example leaves at its default"; exit 1;;
  esac
done
echo "the README command carries the example's arguments"

# It runs: the same command on the demo model, made small by later options (the last value of an option wins),
# writing into the work folder instead of the README's --out (--out takes one value).
run_args=()
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = "--out" ]; then i=$((i + 1)); else run_args+=("${args[i]}"); fi
done
"$bin" make-demo-model "$work/demo" > /dev/null
"$bin" generate "${run_args[@]}" --model "$work/demo" --height 32 --width 32 --frames 5 --steps 2 --no-binning \
  --cuda-grid 132x2048 --out "$work/example.mp4" > "$work/log.txt" 2>&1 || { cat "$work/log.txt"; exit 1; }
cat "$work/log.txt"
grep -q "seed 0 (cuda generator, grid 132x2048" "$work/log.txt" || { echo "not the CUDA generator's seed 0"; exit 1; }
[ -s "$work/example.mp4" ] || { echo "no video written"; exit 1; }
if command -v ffprobe > /dev/null; then
  tags=$(ffprobe -v error -show_entries format_tags -of default=noprint_wrappers=1 "$work/example.mp4")
  grep -q "^TAG:generator=cuda$" <<< "$tags" || { echo "no generator tag: $tags"; exit 1; }
  grep -q "multi_processor_count\":132" <<< "$tags" || { echo "no CUDA grid tag: $tags"; exit 1; }
  grep -qF "TAG:prompt=$prompt" <<< "$tags" || { echo "no prompt tag"; exit 1; }
fi
echo "1 passed, 0 failed"
