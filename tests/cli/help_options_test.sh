#!/usr/bin/env bash
# Every option that `sanavideo --help` and each `sanavideo COMMAND --help` list is exercised here, each run
# checked for its effect or its message; at the end the options the runs used are compared with the options the
# help texts list, so a new option without a test fails this test.
#   help_options_test.sh SANAVIDEO WORK_DIR SOURCE_DIR
set -u
SV=$1
WORK=$2
SRC=$3
rm -rf "$WORK"
mkdir -p "$WORK"
USED="$WORK/used.txt"
: >"$USED"
failures=0

# Each command's own subcommands ("jobs show"), whose options their own --help lists.
SUBS="$WORK/subcommands.txt"
# The list ends at the first blank line: a footer's examples ("  sanavideo jobs show 4242") are no subcommands.
subcommands() { awk '/^Subcommands:/{on=1; next} on && /^$/{exit} on && /^  [a-z]/{print $1}'; }
for c in $("$SV" --help | subcommands); do
    "$SV" "$c" --help | subcommands | sed "s/^/$c /"
done >"$SUBS"

# sv RC REGEX [CMD [SUB]] ARGS...: runs `sanavideo [CMD [SUB]] ARGS...`, expects exit code RC and REGEX (grep -E,
# on the output joined into one line) in its output, and records every --option it used for CMD (or CMD SUB).
sv() {
    local want=$1 regex=$2
    shift 2
    local cmd=""
    case "${1:-}" in -*) ;; *) cmd=$1 ;; esac
    if [ -n "$cmd" ] && [ $# -ge 2 ] && grep -qxF -- "$cmd $2" "$SUBS"; then cmd="$cmd $2"; fi
    for a in "$@"; do
        case "$a" in
            --*=*) echo "$cmd ${a%%=*}" >>"$USED" ;;
            --*) echo "$cmd $a" >>"$USED" ;;
        esac
    done
    "$SV" "$@" >"$WORK/out.txt" 2>&1
    local rc=$?
    if [ "$rc" -ne "$want" ] || ! tr '\n' ' ' <"$WORK/out.txt" | grep -qE -- "$regex"; then
        echo "FAIL: sanavideo $* -> $rc (expected $want and /$regex/):"
        cat "$WORK/out.txt"
        failures=$((failures + 1))
    else
        echo "ok: sanavideo $*"
    fi
}

M="$WORK/model"
"$SV" make-demo-model "$M" >/dev/null || { echo "make-demo-model failed"; exit 1; }
TINY=(--model "$M" --height 32 --width 32 --frames 5 --steps 1 --no-binning --device cpu)

# ---- sanavideo itself
sv 0 "Subcommands:" --help
sv 0 "^sanavideo [0-9]+\.[0-9]+" --version
sv 2 "unknown command bogus" bogus

# ---- version: the engine, and the node pack on the same engine
sv 0 "Usage: sanavideo version" version --help
sv 0 "node pack sana-video: .*shares this engine" version

# ---- info
sv 0 "MODEL_DIR" info --help
sv 0 "MODEL_DIR" info -h
sv 0 "SanaVideoPipeline" info "$M"

# ---- schedule
sv 0 "--shift" schedule --help
sv 0 "FlowMatchEulerDiscreteScheduler \(euler\), 3 steps, shift 1" schedule --scheduler euler --steps 3 --shift 1
sv 0 "2 steps, .*scheduler_config.json" schedule --config "$M/scheduler/scheduler_config.json" --steps 2
sv 2 "--config excludes --scheduler|--scheduler excludes --config" schedule --scheduler dpm --config x --steps 2
sv 2 "--steps: 0 is below the minimum 1" schedule --scheduler dpm --steps 0

# ---- make-demo-model
sv 0 "--seed" make-demo-model --help
sv 0 "wrote the 480p \(Wan VAE\) demo model" make-demo-model "$WORK/model5" --seed 5
sv 0 "wrote the 720p \(LTX-2 VAE\) demo model" make-demo-model "$WORK/model720" --family 720p
sv 2 "--family: \"8k\" is not 480p, 720p or longsana" make-demo-model "$WORK/model8k" --family 8k
if cmp -s "$M/transformer/diffusion_pytorch_model.safetensors" "$WORK/model5/transformer/diffusion_pytorch_model.safetensors"; then
    echo "FAIL: --seed 5 made the same weights as seed 0"; failures=$((failures + 1))
fi

# ---- generate: every option, each reflected in the settings it prints (or in what it wrote)
sv 0 "--negative-prompt" generate --help
sv 0 "--negative-prompt \"blurry\".*--guidance 4.5.*--seed 9.*--scheduler \"unipc\".*--flow-shift 3.0.*--motion-score 7.*--no-chi.*--no-binning.*--fps 24.0.*--device \"cpu\".*--dtype \"f32\"" \
    generate "${TINY[@]}" --prompt "a fox" --negative-prompt "blurry" --guidance 4.5 --seed 9 --scheduler unipc \
    --flow-shift 3 --motion-score 7 --no-chi --fps 24 --dtype f32 --out "$WORK/a.mp4"
sv 0 "wrote .*a.mp4 \(5 frames, 32x32, 24 fps\)" generate "${TINY[@]}" --prompt "a fox" --fps 24 --out "$WORK/a.mp4" --overwrite
sv 0 "--motion-score 0" generate "${TINY[@]}" --prompt "a fox" --no-motion-score --out "$WORK/b.mp4"
sv 0 "--weights \"int8\".*wrote .*w8.mp4" generate "${TINY[@]}" --prompt "a fox" --weights int8 --out "$WORK/w8.mp4"
sv 0 "--weights \"fp8\".*wrote .*f8.mp4" generate "${TINY[@]}" --prompt "a fox" --weights fp8 --out "$WORK/f8.mp4"
sv 1 "--weights: \"int4\" is not one of: auto, float, int8, fp8" generate "${TINY[@]}" --prompt "a fox" --weights int4 --out "$WORK/w4.mp4"
sv 0 "wrote .*t.y4m \(5 frames, 32x32, 16 fps\)" generate "${TINY[@]}" --prompt "a fox" --out "$WORK/t.y4m" \
    --timings "$WORK/t.json"
grep -q '"sampling_s"' "$WORK/t.json" || { echo "FAIL: generate --timings wrote no sampling_s"; failures=$((failures + 1)); }
# --offload-text-encoder reaches Load Model (its log says so) and changes nothing in the video.
sv 0 "--offload-text-encoder.*text encoder offloaded to host memory.*wrote .*off.y4m" generate "${TINY[@]}" \
    --prompt "a fox" --offload-text-encoder --out "$WORK/off.y4m"
cmp -s "$WORK/off.y4m" "$WORK/t.y4m" || { echo "FAIL: --offload-text-encoder changed the video"; failures=$((failures + 1)); }
sv 0 "image-to-video with these settings" generate "${TINY[@]}" --prompt "a cat" --image "$SRC/tests/data/images/rgb8.png" \
    --out "$WORK/c.mp4"
sv 2 "--no-motion-score excludes --motion-score|--motion-score excludes --no-motion-score" \
    generate "${TINY[@]}" --prompt "x" --motion-score 3 --no-motion-score --out "$WORK/d.mp4"
# Batches, noise, schedules, LoRA (each checked in the run log or in what it wrote).
sv 0 "wrote .*n_001.mp4.*wrote .*n_002.mp4" generate "${TINY[@]}" --prompt "a fox" --num-videos 2 --out "$WORK/n.mp4"
sv 0 "seed 9 \(cuda generator, grid 132x2048\)" generate "${TINY[@]}" --prompt "a fox" --seed 9 --generator cuda \
    --cuda-grid 132x2048 --out "$WORK/g.mp4"
sv 0 "3 custom sigmas.*sampling .* 3/3" generate "${TINY[@]}" --prompt "a fox" --scheduler euler --sigmas 1.0,0.6,0.2 \
    --out "$WORK/s.mp4"
sv 0 "4 custom timesteps.*sampling .* 4/4" generate "${TINY[@]}" --prompt "a fox" --scheduler euler \
    --timesteps 999,700,300,100 --out "$WORK/t.mp4"
sv 1 "--lora: .*none.safetensors: no such LoRA file" generate "${TINY[@]}" --prompt "a fox" \
    --lora "$WORK/none.safetensors:0.5" --out "$WORK/l.mp4"
sv 1 "--lora-mode: \"fused\" is not one of: unmerged, merged" generate "${TINY[@]}" --prompt "a fox" --lora-mode fused \
    --out "$WORK/l.mp4"
STYLE="$SRC/tests/data/reference/lora_tiny/style/pytorch_lora_weights.safetensors"
if [ -f "$STYLE" ]; then
    sv 0 "LoRA style: 16 modules at strength 0.5 \(diffusers names, merged\)" generate "${TINY[@]}" --prompt "a fox" \
        --lora "$STYLE:0.5" --lora-mode merged --out "$WORK/l.mp4"
fi
# Continuing a clip: its 5 frames, then 4 new ones (the new clip's first frame repeats its last).
sv 0 "wrote .*cont.mp4" generate "${TINY[@]}" --prompt "a fox" --continue "$WORK/a.mp4" --out "$WORK/cont.mp4"
sv 2 "--seconds excludes --frames|--frames excludes --seconds" generate "${TINY[@]}" --prompt "x" --seconds 1 \
    --out "$WORK/x.mp4"
sv 1 "--chunk-frames: the text-to-video graph has no node it sets" generate "${TINY[@]}" --prompt "x" --chunk-frames 2 \
    --out "$WORK/x.mp4"
# LongSANA: --seconds 0.5 at 16 fps is 9 frames; the long-only options reach the Long Video node.
"$SV" make-demo-model "$WORK/long" --family longsana >/dev/null || { echo "make-demo-model --family longsana failed"; exit 1; }
printf '0: a red fox\n' >"$WORK/prompts.txt"
LONG=(--model "$WORK/long" --prompt "a fox<split>a whale" --height 64 --width 64 --no-binning --device cpu)
sv 0 "--frames 9.*--chunk-frames 1.*--cached-chunks 2.*--prompt-file .*prompts.txt.*--rope \"chunk\".*wrote .*long.mp4 \(9 frames, 64x64, 16 fps\)" \
    generate "${LONG[@]}" --seconds 0.5 --chunk-frames 1 --cached-chunks 2 --prompt-file "$WORK/prompts.txt" \
    --rope chunk --long --out "$WORK/long.mp4"
sv 1 "--steps: the long-video graph has no node it sets" generate "${LONG[@]}" --steps 2 --out "$WORK/x.mp4"
# A step list that does not descend is refused by Long Video's check before anything is written; shift and the
# nvlabs sigma table run (2 steps; --frames 5 in chunks of 1 latent frame: 2 chunks, one per prompt part).
sv 1 "--step-list: .*descend" generate "${LONG[@]}" --frames 5 --step-list 500,900 --out "$WORK/x.mp4"
sv 0 "--flow-shift 3.0.*--step-list \"900,500\".*--sigma-source \"nvlabs\".*wrote .*sl.mp4 \(5 frames" \
    generate "${LONG[@]}" --frames 5 --chunk-frames 1 --step-list 900,500 --flow-shift 3 --sigma-source nvlabs --out "$WORK/sl.mp4"
[ ! -e "$WORK/x.mp4" ] || { echo "FAIL: a refused LongSANA run left x.mp4"; failures=$((failures + 1)); }

# ---- generate --save-latents / --no-decode / --vae-dtype, then decode (tests/cli/decode_test.sh checks the
# videos frame by frame)
sv 0 "--vae-dtype.*recommended, exact setting; bf16 decodes ~5x faster" generate --help
sv 0 "--save-latents.*--no-decode" generate --help
sv 0 "wrote .*lat.safetensors \(the sampled latents.*wrote .*lat.y4m" generate "${TINY[@]}" --prompt "a fox" \
    --save-latents "$WORK/lat.safetensors" --out "$WORK/lat.y4m"
sv 0 "--vae-dtype \"f32\".*wrote .*only.safetensors" generate "${TINY[@]}" --prompt "a fox" --vae-dtype f32 \
    --save-latents "$WORK/only.safetensors" --no-decode
sv 1 "--vae-dtype: the CPU backend runs in f32 only, got bf16" generate "${TINY[@]}" --prompt "a fox" \
    --vae-dtype bf16 --out "$WORK/bf.y4m"
sv 2 "--no-decode requires --save-latents" generate "${TINY[@]}" --prompt "a fox" --no-decode
sv 2 "--out is required" generate "${TINY[@]}" --prompt "a fox"
sv 0 "--vae-dtype.*recommended, exact setting; bf16 decodes ~5x faster" decode --help
sv 0 "wrote .*dec.y4m \(5 frames, 32x32, 24 fps\)" decode "$WORK/only.safetensors" --model "$M" --device cpu \
    --vae-dtype auto --fps 24 --out "$WORK/dec.y4m" --timings "$WORK/dec.json"
grep -q '"decode_s"' "$WORK/dec.json" || { echo "FAIL: decode --timings wrote no decode_s"; failures=$((failures + 1)); }
sv 0 "wrote .*dec.y4m" decode "$WORK/only.safetensors" --model "$M" --device cpu --out "$WORK/dec.y4m" --overwrite
sv 1 "--vae-dtype: the CPU backend runs in f32 only, got f16" decode "$WORK/only.safetensors" --model "$M" \
    --device cpu --vae-dtype f16 --out "$WORK/dec16.y4m"

# ---- run
sv 0 "--target" run --help
mkdir -p "$WORK/no-packs"
sv 0 "\[vae_decode\] finished" run "$SRC/resources/graphs/text-to-video.json" --output-dir "$WORK/run" \
    --plugin-dir "$WORK/no-packs" --set "load_model.folder=$M" --set load_model.device=cpu --set sampler.width=32 \
    --set sampler.height=32 --set sampler.frames=5 --set sampler.steps=1 --set sampler.resolution_binning=false
sv 0 "done in" run "$SRC/resources/graphs/text-to-video.json" --output-dir "$WORK/run3" --timings "$WORK/r.json" \
    --set "load_model.folder=$M" --set load_model.device=cpu --set sampler.width=32 --set sampler.height=32 \
    --set sampler.frames=5 --set sampler.steps=1 --set sampler.resolution_binning=false --set save_video.format=y4m
grep -q '"decode_s"' "$WORK/r.json" || { echo "FAIL: run --timings wrote no decode_s"; failures=$((failures + 1)); }
sv 0 "done in" run "$WORK/a.mp4" --output-dir "$WORK/run2" --target sampler
if [ -n "$(ls -A "$WORK/run2" 2>/dev/null)" ]; then
    echo "FAIL: --target sampler still wrote a file"; failures=$((failures + 1))
fi
# An MP4 without a graph: said so (it used to be "unexpected end of input").
if command -v ffmpeg >/dev/null; then
    ffmpeg -v error -i "$WORK/a.mp4" -map_metadata -1 -c copy "$WORK/no-graph.mp4"
    sv 1 "no-graph.mp4: no node graph embedded" run "$WORK/no-graph.mp4"
else
    echo "ffmpeg not found: the MP4-without-a-graph case is skipped"
fi

# ---- nodes
sv 0 "--json" nodes --help
sv 0 "\"type\": \"sana.sampler\"" nodes --json --plugin-dir "$WORK/no-packs"

# ---- sweep: the default graph with the tiny settings, two seeds zipped with two guidances
T2V="$SRC/resources/graphs/text-to-video.json"
TINYSET=(--set "load_model.folder=$M" --set load_model.device=cpu --set sampler.width=32 --set sampler.height=32
    --set sampler.frames=5 --set sampler.steps=1 --set sampler.resolution_binning=false)
sv 0 "--save-spec" sweep --help
sv 0 "wrote .*s.sweep.json 001_seed-1_guidance-4 +sampler.seed=1 sampler.guidance=4.* 002_seed-2_guidance-6 +sampler.seed=2" \
    sweep "$T2V" "${TINYSET[@]}" --set-axis sampler.seed=1,2 --set-axis sampler.guidance=4,6 --zip --list \
    --save-spec "$WORK/s.sweep.json"
sv 0 "004_seed-2_guidance-6" sweep "$WORK/s.sweep.json" --product --list
sv 0 "2 variant\(s\): 2 done; node runs: .*load_model 1," sweep "$WORK/s.sweep.json" --output-dir "$WORK/sweep" \
    --plugin-dir "$WORK/no-packs"
for v in 001_seed-1_guidance-4 002_seed-2_guidance-6; do
    [ -f "$WORK/sweep/$v.mp4" ] || { echo "FAIL: the sweep wrote no $v.mp4"; failures=$((failures + 1)); }
done
sv 2 "--job excludes GRAPH|GRAPH excludes --job" sweep "$T2V" --job "$WORK/no-job" --task 0
sv 2 "--task: -1 is below the minimum 0" sweep --job "$WORK/no-job" --task -1

# ---- submit and jobs, against scripted Slurm commands (tests/cli/fake_slurm.sh); the test runs the task itself
bash "$SRC/tests/cli/fake_slurm.sh" "$WORK/slurm"
export PATH="$WORK/slurm:$PATH"
ROOT="$WORK/jobs"
sv 0 "--sbatch-arg" submit --help
sv 0 "job seeds-[0-9-]+: 2 variant\(s\) in 1 task\(s\), slurm job 4242" submit "$T2V" "${TINYSET[@]}" \
    --set-axis sampler.seed=1..2 --product --farm slurm --chunk 2 --gpus 1 --cpus 1 --mem 1G --partition debug \
    --time 00:10:00 --sbatch-arg=--qos=low --job-root "$ROOT" --name seeds --program "$SV" \
    --plugin-dir "$WORK/no-packs"
if ! tr '\n' ' ' <"$WORK/slurm/sbatch.args" |
    grep -qE -- "--array=0 .*--partition=debug --time=00:10:00 --gres=gpu:1 --cpus-per-task=1 --mem=1G --qos=low "; then
    echo "FAIL: sbatch did not get the farm settings:"; cat "$WORK/slurm/sbatch.args"; failures=$((failures + 1))
fi
sv 2 "--zip excludes --product|--product excludes --zip" submit "$T2V" --zip --product
sv 2 "--chunk: 0 is below the minimum 1" submit "$T2V" --chunk 0
sv 0 "show" jobs --help
sv 0 "--task" jobs cancel --help
sv 0 "--task" jobs resubmit --help
sv 0 "--timeout" jobs wait --help
sv 0 "ID" jobs show --help
sv 0 "seeds-.*task 0 \(job 4242\): killed" jobs --job-root "$ROOT"
sv 0 "asked 1 task\(s\) of seeds-" jobs cancel 4242 --task 0 --job-root "$ROOT"
grep -qx "4242_0" "$WORK/slurm/scancel.args" || { echo "FAIL: scancel 4242_0 not called"; failures=$((failures + 1)); }
sv 0 "re-submitted 1 task\(s\) as slurm job 4243" jobs resubmit 4242 --task 0 --job-root "$ROOT"
JOB=$(ls -d "$ROOT"/seeds-*)
sv 0 "task 0: 2 variant\(s\): 2 done; node runs: .*load_model 1," sweep --job "$JOB" --task 0 --submission 4243 \
    --plugin-dir "$WORK/no-packs"
sv 0 "1 task: 1 finished; variants: 2 of 2 done" jobs wait 4243 --timeout 30 --interval 0.1 --job-root "$ROOT"
sv 0 "001_seed-1 \(task 0\): done .*001_seed-1.mp4" jobs show 4242 --job-root "$ROOT"
sv 0 "\"state\": \"finished\"" jobs show 4243 --json --job-root "$ROOT"
sv 0 "^\[ +\{ .*\"id\": \"seeds-" jobs --json --job-root "$ROOT"
sv 2 "--timeout: \"soon\" is not a number" jobs wait 4242 --timeout soon

# ---- graph-from
sv 0 "FILE" graph-from --help
sv 0 "\"format\": \"sanavideo.graph\"" graph-from "$WORK/a.mp4"

# ---- bench (no GPU here: each option is parsed and checked, the run fails cleanly where it needs one)
sv 0 "--profile" bench --help
sv 1 "needs height and width multiples of 16" bench --height 100 --width 832 --frames 81
sv 1 "needs height and width multiples of 16 and frames = 1 \+ 4k" bench --frames 10
sv 1 "704x1280x13 needs height and width multiples of 32 and frames = 1 \+ 8k" bench --family 720p --frames 13
sv 1 "720x1280x81 needs height and width multiples of 32" bench --family 720p --height 720
sv 2 "--family: \"1080p\" is not 480p or 720p" bench --family 1080p
sv 2 "--gpus: 0 is below the minimum 1" bench --gpus 0
sv 1 "--save-latents: folder [^ ]*no-such-dir does not exist" bench --save-latents "$WORK/no-such-dir/x.safetensors"
sv 2 "--steps: 0 is below the minimum 1" bench --steps 0
sv 2 "--total-steps: \"x\" is not an integer" bench --total-steps x
sv 2 "--text-tokens: 1 is below the minimum 2" bench --text-tokens 1
sv 2 "--dtype: \"f8\" is not bf16, f16 or f32" bench --dtype f8
sv 2 "--vae-dtype: \"f8\" is not bf16, f16 or f32" bench --vae-dtype f8
sv 2 "--skip: \"everything\" is not text, sampling or decode" bench --skip everything
sv 2 "--weights: \"auto\" is not float, int8 or fp8" bench --weights auto
sv 1 "no CUDA|config" bench --configs "$WORK/no-configs" --weights fp8 --keep-float attn2,ff.conv_temp
sv 2 "--seed: -1 is below the minimum 0" bench --seed -1
sv 1 "no CUDA|config" bench --configs "$WORK/no-configs" --profile --skip text --seed 1

# ---- coverage: every option of every help text was used above
commands=$("$SV" --help | subcommands)
missing=0
while read -r cmd; do
    # shellcheck disable=SC2086
    for opt in $("$SV" $cmd --help | grep -oE '^ +(-h,)?--[a-z][a-z0-9-]*' | sed -E 's/^ +//; s/^-h,//'); do
        if ! grep -qxF -- "$cmd $opt" "$USED"; then
            echo "FAIL: 'sanavideo $cmd $opt' is listed by --help but no test here uses it"
            missing=$((missing + 1))
        fi
    done
done < <(echo; printf '%s\n' $commands; cat "$SUBS")
grep -qxF "jobs wait" "$SUBS" || { echo "FAIL: no subcommands found in sanavideo jobs --help"; failures=$((failures + 1)); }
[ -n "$commands" ] || { echo "FAIL: no commands found in sanavideo --help"; failures=$((failures + 1)); }
if [ $((failures + missing)) -ne 0 ]; then
    echo "$failures failed run(s), $missing option(s) not exercised"
    exit 1
fi
echo "every option of every command exercised"
