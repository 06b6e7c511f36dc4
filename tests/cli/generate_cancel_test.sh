#!/usr/bin/env bash
# SIGINT (Ctrl-C), SIGTERM and SIGHUP during `sanavideo generate`, `run` and `sweep`: the run stops within a
# step, exits with 128 + the signal number, and leaves nothing in the output folder (neither the requested file
# nor a temporary or staging one). A farm task (`sweep --job --task`) stopped by SIGTERM, as Slurm's scancel
# does, records itself and its variant cancelled. Usage: generate_cancel_test.sh SANAVIDEO WORK_DIR GRAPHS_DIR
set -u
sanavideo=$1
work=$2
graphs=$3
here=$(cd "$(dirname "$0")" && pwd)
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

# The default graph with many cheap steps, so the run is still sampling when the signal arrives.
slow=(--set "load_model.folder=$work/model" --set load_model.device=cpu --set sampler.width=64
    --set sampler.height=64 --set sampler.frames=9 --set sampler.steps=1000 --set sampler.scheduler=euler
    --set sampler.resolution_binning=false)

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
    "$sanavideo" run "$graphs/text-to-video.json" --output-dir "$out" "${slow[@]}" 2>"$work/run_$sig.txt" &
    interrupt $! "$work/run_$sig.txt" "$sig" $((128 + $(kill -l "$sig"))) "\[sampler\] step [3-9]"
    grep -q "sanavideo run: cancelled by SIG$sig" "$work/run_$sig.txt" || { echo "no cancel message"; exit 1; }
    nothing_left "$out"

    # `sweep` of two variants: stops in the first, which leaves no partial file; the second never starts.
    out="$work/sweep_$sig"
    "$sanavideo" sweep "$graphs/text-to-video.json" --output-dir "$out" "${slow[@]}" --set-axis sampler.seed=1,2 \
        2>"$work/sweep_$sig.txt" &
    interrupt $! "$work/sweep_$sig.txt" "$sig" $((128 + $(kill -l "$sig"))) "\[sampler\] step [3-9]"
    grep -q "sanavideo sweep: cancelled by SIG$sig" "$work/sweep_$sig.txt" || { echo "no cancel message"; exit 1; }
    if grep -q "\[2/2\]" "$work/sweep_$sig.txt"; then echo "the second variant started"; exit 1; fi
    nothing_left "$out"
done

# A farm task (scripted Slurm commands: the test runs the task as the batch script would) and scancel's SIGTERM.
bash "$here/fake_slurm.sh" "$work/slurm"
PATH="$work/slurm:$PATH" "$sanavideo" submit "$graphs/text-to-video.json" "${slow[@]}" --set-axis sampler.seed=1,2 \
    --chunk 2 --job-root "$work/jobs" --name cancel >/dev/null 2>"$work/submit.txt" || { cat "$work/submit.txt"; exit 1; }
job=$(ls -d "$work"/jobs/cancel-*)
"$sanavideo" sweep --job "$job" --task 0 --submission 4242 2>"$work/task.txt" &
interrupt $! "$work/task.txt" TERM 143 "\[sampler\] step [3-9]"
grep -q '"state": "cancelled"' "$job/state/task-0.json" && grep -q '"message": "stopped by SIGTERM"' \
    "$job/state/task-0.json" || { echo "the task did not record itself cancelled:"; cat "$job/state/task-0.json"; exit 1; }
grep -q '"state": "cancelled"' "$job/state/001_seed-1.json" || { echo "variant 1 not recorded cancelled"; exit 1; }
nothing_left "$job/outputs/.partial"
[ "$(ls -A "$job/outputs")" = ".partial" ] || { echo "outputs left: $(ls -A "$job/outputs")"; exit 1; }
PATH="$work/slurm:$PATH" "$sanavideo" jobs show 4242 --job-root "$work/jobs" >"$work/show.txt"
grep -q "task 0 (job 4242): cancelled, 0/2 done.*stopped by SIGTERM" "$work/show.txt" || { cat "$work/show.txt"; exit 1; }
echo "ok"
