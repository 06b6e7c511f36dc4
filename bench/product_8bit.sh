#!/usr/bin/env bash
# 8-bit weights on the product path (issue 12, items 2 and 3): from a model folder on disk, `sanavideo generate`
# with bf16 weights, `--weights fp8` (FP8 compute in the transformer) and `--weights int8`, all with
# `--vae-dtype bf16` (the fast decode) at full size, same folder and seed; and the fp8 run again with
# `--offload-text-encoder` (Gemma-2 in host memory outside encoding: lower peak VRAM, the same latents).
# Runs from the repository root with the device build packed by bench/pack_product.sh in $SV_PACK and, at full
# size, the diffusers source snapshot in $SV_DIFFUSERS (the model folder is written as bench/product_run.sh does):
#
#   bench/product_8bit.sh           full size: 480x832x81, 50 steps on CUDA
#   bench/product_8bit.sh --tiny    the demo model at 32x32x5, 2 steps, on the CPU (proves the script here)
#
# Output under $OUT: product_8bit.json with each run's --timings (stages, peak VRAM, peak RSS) and the relative
# L2 distance of the fp8 and int8 runs' final latents from the bf16 run's (the issue's quality measure, goal
# ≤ 5e-2 for FP8).
set -uo pipefail
tiny=0
[ "${1:-}" = "--tiny" ] && tiny=1
PACK=${SV_PACK:-$PWD/.carry/pack}
DIFFUSERS=${SV_DIFFUSERS:-$PWD/.carry/diffusers_src}
OUT=${OUT:-/tmp/sv_product_8bit_out}
WORK=${SV_PRODUCT_WORK:-/tmp/sv_product_8bit}
mkdir -p "$OUT" "$WORK"
LOG="$OUT/product_8bit.log"
: >"$LOG"
sv() { "$PACK/run.sh" sanavideo "$@"; }
say() { echo "== $*" | tee -a "$LOG"; }

if [ $tiny = 1 ]; then
    size=(--height 32 --width 32 --frames 5 --steps 2 --no-binning --device cpu)
    vae=()
else
    size=(--height 480 --width 832 --frames 81 --steps 50 --dtype bf16 --device cuda)
    vae=(--vae-dtype bf16)
fi
MODEL=$WORK/model
rm -rf "$MODEL" "$WORK/demo" "$WORK"/*.safetensors "$WORK"/*.y4m "$WORK"/*.json
if [ $tiny = 1 ]; then
    sv make-demo-model "$MODEL" >>"$LOG" 2>&1 || { say "FAIL: make-demo-model"; exit 1; }
else
    sv make-demo-model "$WORK/demo" >>"$LOG" 2>&1 || { say "FAIL: make-demo-model (for its tokenizer)"; exit 1; }
    PYTHONPATH="$DIFFUSERS/src:$DIFFUSERS:${PYTHONPATH:-}" python3 bench/product_model.py "$MODEL" \
        "$WORK/demo/tokenizer" >"$OUT/model.json" 2>>"$LOG" || { say "FAIL: product_model.py"; exit 1; }
fi

gen=(generate --model "$MODEL" --prompt "a red fox running through fresh snow" --seed 1 "${size[@]}" --overwrite)
run() {  # NAME ARGS...: one timed generate
    local name=$1
    shift
    say "$name: $*"
    sv "${gen[@]}" "$@" --save-latents "$WORK/$name.safetensors" --timings "$WORK/$name.json" >>"$LOG" 2>&1
    local rc=$?
    echo "$rc" >"$WORK/$name.rc"
    [ -f "$WORK/$name.json" ] && python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print('  stages', t.get('stages'), '; peak VRAM GiB', t.get('peak_vram_gib'), '; peak RSS MiB', t.get('peak_rss_mib'))" "$WORK/$name.json" | tee -a "$LOG"
    [ $rc = 0 ] || { say "FAIL: $name exit $rc"; tail -5 "$LOG"; }
}
run bf16 "${vae[@]}" --out "$WORK/bf16.y4m"
run fp8 --weights fp8 "${vae[@]}" --out "$WORK/fp8.y4m"
run int8 --weights int8 "${vae[@]}" --out "$WORK/int8.y4m"
# The text encoder in host memory while sampling and decoding (the ≤ 6 GiB goal): the same latents as fp8.
run fp8_offload --weights fp8 --offload-text-encoder "${vae[@]}" --out "$WORK/fp8_offload.y4m"

python3 - "$WORK" "$OUT/product_8bit.json" <<'PY'
import json, math, os, struct, sys
work, out = sys.argv[1:]

def latents(path):  # the F32 "latents" tensor of a safetensors file (Save Latent writes F32)
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        info = header["latents"]
        assert info["dtype"] == "F32", info
        f.seek(8 + n + info["data_offsets"][0])
        count = math.prod(info["shape"])
        return struct.unpack(f"<{count}f", f.read(4 * count))

report = {"runs": {}}
for name in ("bf16", "fp8", "int8", "fp8_offload"):
    r = {"exit_code": int(open(os.path.join(work, name + ".rc")).read())}
    if os.path.exists(os.path.join(work, name + ".json")):
        r["timings"] = json.load(open(os.path.join(work, name + ".json")))
    report["runs"][name] = r
ok = all(r["exit_code"] == 0 for r in report["runs"].values())

def rel_l2(name, ref):
    a, b = latents(os.path.join(work, name + ".safetensors")), latents(os.path.join(work, ref + ".safetensors"))
    num = sum((x - y) ** 2 for x, y in zip(a, b))
    den = sum(y * y for y in b)
    return math.sqrt(num / den) if den else None

if ok:
    for name in ("fp8", "int8"):
        report[name + "_vs_bf16_latents_rel_l2"] = rel_l2(name, "bf16")
        print(f"== {name} vs bf16 final latents, relative L2:", report[name + "_vs_bf16_latents_rel_l2"])
    report["fp8_offload_vs_fp8_latents_rel_l2"] = rel_l2("fp8_offload", "fp8")  # 0: offload changes nothing
    print("== fp8 with the text encoder offloaded vs fp8, relative L2 (expected 0):",
          report["fp8_offload_vs_fp8_latents_rel_l2"])
json.dump(report, open(out, "w"), indent=1)
print("== report ->", out)
sys.exit(0 if ok and report["fp8_offload_vs_fp8_latents_rel_l2"] == 0 else 1)
PY
