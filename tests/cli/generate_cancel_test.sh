#!/usr/bin/env bash
# Ctrl-C during `sanavideo generate`: the run stops within a step, exits with 130, and leaves no file (neither
# the requested one nor a temporary one) in the output folder. Usage: generate_cancel_test.sh SANAVIDEO WORK_DIR
set -u
sanavideo=$1
work=$2
rm -rf "$work"
mkdir -p "$work/out"
"$sanavideo" make-demo-model "$work/model" >/dev/null || { echo "make-demo-model failed"; exit 1; }

# Many cheap steps, so the run is still sampling when the signal arrives.
"$sanavideo" generate --model "$work/model" --prompt "x" --height 64 --width 64 --frames 9 --steps 20000 \
  --scheduler euler --no-binning --seed 1 --out "$work/out/video.mp4" 2>"$work/stderr.txt" &
pid=$!
for _ in $(seq 1 1200); do
  grep -q "sampling \[[#-]*\] [3-9]" "$work/stderr.txt" 2>/dev/null && break
  sleep 0.05
done
if ! grep -q "sampling \[" "$work/stderr.txt"; then
  kill -KILL "$pid" 2>/dev/null
  echo "sampling never started:"; cat "$work/stderr.txt"; exit 1
fi
kill -INT "$pid"
wait "$pid"
rc=$?
tail -n 3 "$work/stderr.txt"
steps_after=$(grep -c "sampling \[" "$work/stderr.txt")
echo "exit code $rc after $steps_after progress lines"
[ "$rc" -eq 130 ] || { echo "expected exit code 130"; exit 1; }
grep -q "cancelled, nothing written" "$work/stderr.txt" || { echo "no cancel message"; exit 1; }
left=$(ls -A "$work/out")
[ -z "$left" ] || { echo "files left in the output folder: $left"; exit 1; }
# It stopped long before the 20000 steps.
[ "$steps_after" -lt 19000 ] || { echo "did not stop early"; exit 1; }
echo "ok"
