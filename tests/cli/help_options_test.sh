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

# sv RC REGEX [CMD] ARGS...: runs `sanavideo [CMD] ARGS...`, expects exit code RC and REGEX (grep -E, on the
# output joined into one line) in its output, and records every --option it used for CMD.
sv() {
    local want=$1 regex=$2
    shift 2
    local cmd=""
    case "${1:-}" in -*) ;; *) cmd=$1 ;; esac
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
sv 0 "wrote .*t.y4m \(5 frames, 32x32, 16 fps\)" generate "${TINY[@]}" --prompt "a fox" --out "$WORK/t.y4m" \
    --timings "$WORK/t.json"
grep -q '"sampling_s"' "$WORK/t.json" || { echo "FAIL: generate --timings wrote no sampling_s"; failures=$((failures + 1)); }
sv 0 "image-to-video with these settings" generate "${TINY[@]}" --prompt "a cat" --image "$SRC/tests/data/images/rgb8.png" \
    --out "$WORK/c.mp4"
sv 2 "--no-motion-score excludes --motion-score|--motion-score excludes --no-motion-score" \
    generate "${TINY[@]}" --prompt "x" --motion-score 3 --no-motion-score --out "$WORK/d.mp4"

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

# ---- graph-from
sv 0 "FILE" graph-from --help
sv 0 "\"format\": \"sanavideo.graph\"" graph-from "$WORK/a.mp4"

# ---- bench (no GPU here: each option is parsed and checked, the run fails cleanly where it needs one)
sv 0 "--profile" bench --help
sv 1 "needs height and width multiples of 16" bench --height 100 --width 832 --frames 81
sv 1 "needs height and width multiples of 16 and frames = 1 \+ 4k" bench --frames 10
sv 1 "704x1280x17 needs height and width multiples of 32 and frames = 1 \+ 8k" bench --family 720p --frames 17
sv 1 "720x1280x81 needs height and width multiples of 32" bench --family 720p --height 720
sv 2 "--family: \"1080p\" is not 480p or 720p" bench --family 1080p
sv 2 "--steps: 0 is below the minimum 1" bench --steps 0
sv 2 "--total-steps: \"x\" is not an integer" bench --total-steps x
sv 2 "--text-tokens: 1 is below the minimum 2" bench --text-tokens 1
sv 2 "--dtype: \"f8\" is not bf16, f16 or f32" bench --dtype f8
sv 2 "--vae-dtype: \"f8\" is not bf16, f16 or f32" bench --vae-dtype f8
sv 2 "--skip: \"everything\" is not text, sampling or decode" bench --skip everything
sv 2 "--seed: -1 is below the minimum 0" bench --seed -1
sv 1 "no CUDA|config" bench --configs "$WORK/no-configs" --profile --skip text --seed 1

# ---- coverage: every option of every help text was used above
commands=$("$SV" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}')
missing=0
for cmd in "" $commands; do
    # shellcheck disable=SC2086
    for opt in $("$SV" $cmd --help | grep -oE '^ +(-h,)?--[a-z][a-z0-9-]*' | sed -E 's/^ +//; s/^-h,//'); do
        if ! grep -qxF -- "$cmd $opt" "$USED"; then
            echo "FAIL: 'sanavideo $cmd $opt' is listed by --help but no test here uses it"
            missing=$((missing + 1))
        fi
    done
done
[ -n "$commands" ] || { echo "FAIL: no commands found in sanavideo --help"; failures=$((failures + 1)); }
if [ $((failures + missing)) -ne 0 ]; then
    echo "$failures failed run(s), $missing option(s) not exercised"
    exit 1
fi
echo "every option of every command exercised"
