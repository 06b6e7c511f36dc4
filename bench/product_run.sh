#!/usr/bin/env bash
# The product path on a GPU machine, from a model folder on disk (issue 12, item 4): runs from the repository root
# with the device build of `sanavideo` packed by bench/pack_product.sh in $SV_PACK (default .carry/pack) and, for
# the full-size model, the diffusers source snapshot in $SV_DIFFUSERS (default .carry/diffusers_src):
#
#   bench/product_run.sh            full size: 480x832x81, 50 steps, bf16 on CUDA
#   bench/product_run.sh --tiny     the demo model (`sanavideo make-demo-model`) at 32x32x5, 2 steps, on the CPU:
#                                   proves the script end to end on a machine without a GPU or PyTorch
#
# Steps: (1) `sanavideo nodes` finds the SANA-Video node pack in the packed folder; (2) the model folder: full
# size, bench/product_model.py writes random weights in the Hugging Face layout with diffusers' save_pretrained
# (transformer and text encoder bf16, VAE fp32, safetensors shards); tiny, make-demo-model; (3) `sanavideo
# generate --out clip.y4m --timings` with a cold page cache (when /proc/sys/vm/drop_caches may be written; the
# JSON says whether it was) and again warm; (4) the same through `sanavideo run` on the default graph
# (resources/graphs/text-to-video.json). Each run's stages (load, text encode, sampling, decode, write), peak VRAM
# and peak host RSS come from the CLI's --timings file; the Y4M's frame count and size are checked.
# Output under $OUT: product.json (every run), product.log (the CLI's output), model.json (the model writer's).
set -uo pipefail
tiny=0
[ "${1:-}" = "--tiny" ] && tiny=1
PACK=${SV_PACK:-$PWD/.carry/pack}
DIFFUSERS=${SV_DIFFUSERS:-$PWD/.carry/diffusers_src}
OUT=${OUT:-/tmp/sv_product_out}
WORK=${SV_PRODUCT_WORK:-/tmp/sv_product}
mkdir -p "$OUT" "$WORK"
LOG="$OUT/product.log"
: >"$LOG"
export PYTHONUNBUFFERED=1
sv() { "$PACK/run.sh" sanavideo "$@"; }
say() { echo "== $*" | tee -a "$LOG"; }
now() { date +%s.%N; }

if [ $tiny = 1 ]; then
    size=(--height 32 --width 32 --frames 5 --steps 2 --no-binning --device cpu)
    sets=(--set sampler.height=32 --set sampler.width=32 --set sampler.frames=5 --set sampler.steps=2
        --set sampler.resolution_binning=false --set load_model.device=cpu)
    W=32 H=32 F=5
else
    size=(--height 480 --width 832 --frames 81 --steps 50 --dtype bf16 --device cuda)
    sets=(--set sampler.height=480 --set sampler.width=832 --set sampler.frames=81 --set sampler.steps=50
        --set load_model.device=cuda --set load_model.transformer_dtype=bf16 --set load_model.text_encoder_dtype=bf16)
    W=832 H=480 F=81
fi
say "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo 'no GPU')"

# (1) the node pack is found next to the packed binary
sv nodes >"$WORK/nodes.txt" 2>&1
grep -q "sana.sampler" "$WORK/nodes.txt" || { cat "$WORK/nodes.txt" | tee -a "$LOG"; say "FAIL: no SANA nodes"; exit 1; }
say "nodes: $(grep -c '^  *sana\.' "$WORK/nodes.txt") SANA node types"

# (2) the model folder
MODEL=$WORK/model
rm -rf "$MODEL" "$WORK/demo"
if [ $tiny = 1 ]; then
    sv make-demo-model "$MODEL" >>"$LOG" 2>&1 || { say "FAIL: make-demo-model"; exit 1; }
    echo '{"model": "demo"}' >"$OUT/model.json"
else
    sv make-demo-model "$WORK/demo" >>"$LOG" 2>&1 || { say "FAIL: make-demo-model (for its tokenizer)"; exit 1; }
    t0=$(now)
    PYTHONPATH="$DIFFUSERS/src:$DIFFUSERS:${PYTHONPATH:-}" python3 bench/product_model.py "$MODEL" "$WORK/demo/tokenizer" \
        >"$OUT/model.json" 2>>"$LOG" || { say "FAIL: product_model.py"; tail -30 "$LOG"; exit 1; }
    say "model folder written in $(python3 -c "print(round($(now) - $t0, 1))") s: $(du -sh "$MODEL" | cut -f1)"
fi
sv info "$MODEL" >>"$LOG" 2>&1 || { say "FAIL: sanavideo info"; exit 1; }

# dropCaches: 1 when the page cache could be dropped (root on the host), else 0
dropCaches() { sync; if (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then echo 1; else echo 0; fi; }

# (3) and (4): one timed run. NAME CACHE(cold|warm) COMMAND...: the CLI's --timings JSON plus the wall time seen
# from here, the cache state and the Y4M check, appended to $WORK/runs.jsonl
runs="$WORK/runs.jsonl"
: >"$runs"
timed() {
    local name=$1 cache=$2 y4m=$3
    shift 3
    local dropped=0
    [ "$cache" = cold ] && dropped=$(dropCaches)
    rm -f "$y4m" "$WORK/$name.json"
    say "$name ($cache cache$([ "$cache" = cold ] && [ "$dropped" = 0 ] && echo ', drop_caches refused: NOT cold'))"
    local t0 rc
    t0=$(now)
    "$@" --timings "$WORK/$name.json" >>"$LOG" 2>&1
    rc=$?
    local wall
    wall=$(python3 -c "print($(now) - $t0)")
    python3 - "$name" "$cache" "$dropped" "$rc" "$wall" "$WORK/$name.json" "$y4m" "$W" "$H" "$F" >>"$runs" <<'PY'
import json, os, sys
name, cache, dropped, rc, wall, timings, y4m, W, H, F = sys.argv[1:]
r = {"name": name, "page_cache": cache, "cache_dropped": dropped == "1", "exit_code": int(rc),
     "wall_s_outside": round(float(wall), 3)}
if os.path.exists(timings):
    r["timings"] = json.load(open(timings))
if os.path.exists(y4m):  # header line, then per frame "FRAME\n" + W*H*3/2 bytes
    with open(y4m, "rb") as f:
        header = f.readline().decode().split()
    w = int(next(t[1:] for t in header if t[0] == "W")); h = int(next(t[1:] for t in header if t[0] == "H"))
    frame = 6 + w * h * 3 // 2
    body = os.path.getsize(y4m) - len(" ".join(header)) - 1
    r["y4m"] = {"width": w, "height": h, "frames": body / frame}
    r["y4m_ok"] = (w, h, body / frame) == (int(W), int(H), float(F))
print(json.dumps(r))
PY
    tail -1 "$runs" | python3 -c "import json,sys; r=json.load(sys.stdin); t=r.get('timings',{}); print('  exit', r['exit_code'], 'wall', r['wall_s_outside'], 's; stages', t.get('stages'), '; peak VRAM GiB', t.get('peak_vram_gib'), '; peak RSS MiB', t.get('peak_rss_mib'), '; y4m ok', r.get('y4m_ok'))" | tee -a "$LOG"
}

gen=(generate --model "$MODEL" --prompt "a red fox running through fresh snow" --seed 1 "${size[@]}" --overwrite)
timed generate_cold cold "$WORK/clip.y4m" sv "${gen[@]}" --out "$WORK/clip.y4m"
timed generate_warm warm "$WORK/clip.y4m" sv "${gen[@]}" --out "$WORK/clip.y4m"
rm -rf "$WORK/run"
run=(run "$PWD/resources/graphs/text-to-video.json" --output-dir "$WORK/run" --set "load_model.folder=$MODEL"
    --set save_video.format=y4m --set save_video.filename=clip --set "text_encode.prompt=a red fox" "${sets[@]}")
timed run_cold cold "$WORK/run/clip.y4m" sv "${run[@]}"
rm -rf "$WORK/run"
timed run_warm warm "$WORK/run/clip.y4m" sv "${run[@]}"

python3 - "$runs" "$OUT/model.json" "$OUT/product.json" "$tiny" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
try:
    model = json.load(open(sys.argv[2]))
except Exception as e:  # the writer failed after printing something else
    model = {"error": str(e)}
json.dump({"tiny": sys.argv[4] == "1", "model": model, "runs": runs}, open(sys.argv[3], "w"), indent=1)
ok = all(r["exit_code"] == 0 and r.get("y4m_ok") for r in runs)
print("== product runs:", "all ok" if ok else "FAILED", "->", sys.argv[3])
sys.exit(0 if ok else 1)
PY
status=$?
[ "${SV_PRODUCT_KEEP:-0}" = 1 ] || rm -rf "$WORK/run" "$WORK/clip.y4m"
exit $status
