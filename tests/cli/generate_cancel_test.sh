#!/usr/bin/env bash
# SIGINT (Ctrl-C), SIGTERM and SIGHUP during `sanavideo generate` and `sanavideo run`: the run stops within a
# step, exits with 128 + the signal number, and leaves nothing in the output folder (neither the requested file
# nor a temporary or staging one). Usage: generate_cancel_test.sh SANAVIDEO WORK_DIR GRAPHS_DIR
set -u
sanavideo=$1
work=$2
graphs=$3
rm -rf "$work"
mkdir -p "$work"
"$sanavideo" make-demo-model "$work/model" >/dev/null || { echo "make-demo-model failed"; exit 1; }

# Waits until stderr shows sampling progress, then sends the signal; checks the exit code and the log.
interrupt() {  # interrupt PID STDERR SIGNAL EXPECTED_RC PROGRESS_REGEX
    local pid=$1 log=$2 sig=$3 want=$4 progress=$5
    for _ in $(seq 1 1200); do
        grep -q "$progress" "$log" 2>/dev/null && break
        sleep 0.05
    done
    if ! grep -q "$progress" "$log"; then
        kill -KILL "$pid" 2>/dev/null
        echo "sampling never started:"; cat "$log"; exit 1
    fi
    kill -"$sig" "$pid"
    wait "$pid"
    local rc=$?
    tail -n 3 "$log"
    echo "SIG$sig: exit code $rc"
    [ "$rc" -eq "$want" ] || { echo "expected exit code $want"; exit 1; }
}

nothing_left() {  # nothing_left DIR
    local left
    left=$(ls -A "$1")
    [ -z "$left" ] || { echo "files left in $1: $left"; exit 1; }
}

for sig in INT TERM HUP; do
    out="$work/out_$sig"
    mkdir -p "$out"
    # Many cheap steps, so the run is still sampling when the signal arrives.
    "$sanavideo" generate --model "$work/model" --prompt "x" --height 64 --width 64 --frames 9 --steps 1000 \
        --scheduler euler --no-binning --seed 1 --device cpu --out "$out/video.mp4" 2>"$work/gen_$sig.txt" &
    interrupt $! "$work/gen_$sig.txt" "$sig" $((128 + $(kill -l "$sig"))) "sampling \[[#-]*\] [3-9]"
    grep -q "cancelled by SIG$sig.*, nothing written to" "$work/gen_$sig.txt" || { echo "no cancel message"; exit 1; }
    nothing_left "$out"
    # It stopped long before the 1000 steps.
    [ "$(grep -c "sampling \[" "$work/gen_$sig.txt")" -lt 900 ] || { echo "did not stop early"; exit 1; }

    # `run` of the default graph: the same.
    out="$work/run_$sig"
    "$sanavideo" run "$graphs/text-to-video.json" --output-dir "$out" --set "load_model.folder=$work/model" \
        --set load_model.device=cpu --set sampler.width=64 --set sampler.height=64 --set sampler.frames=9 \
        --set sampler.steps=1000 --set sampler.scheduler=euler --set sampler.resolution_binning=false \
        2>"$work/run_$sig.txt" &
    interrupt $! "$work/run_$sig.txt" "$sig" $((128 + $(kill -l "$sig"))) "\[sampler\] step [3-9]"
    grep -q "sanavideo run: cancelled by SIG$sig" "$work/run_$sig.txt" || { echo "no cancel message"; exit 1; }
    nothing_left "$out"
done
echo "ok"
