#!/usr/bin/env bash
# One device call for issue 12's FP8 / 8-bit work (docs/PERFORMANCE.md, "FP8 compute and 8-bit weights"). Runs
# from the repository root on the GPU machine with the device build packed into a tarball (bench/pack_product.sh
# DEST/pack build/device, plus tests/cuda_cuda_quantize_test and tests/cuda_cuda_gemma2_offload_test via shared/tools/pack-for-device.sh; `tar -cJf
# PACK.tar.xz -C DEST pack`) and the diffusers source snapshot tarball:
#
#   SV_PACK_TAR=.carry/pack.tar.xz SV_DIFFUSERS_TAR=.carry/dsrc.tar.xz bash bench/device_8bit.sh STEP...
#
# Steps: tests (the 8-bit/FP8 and text-encoder offload GPU tests), bench (`sanavideo bench --weights float|fp8|int8 --profile`), policy
# (per-call error of FP8 with layer groups kept float, and int8), ceil (bf16 and FP8 GEMM ceilings, torch),
# diffusers (its eager transformer step), product (bench/product_8bit.sh). Output under $OUT.
set -uo pipefail
root=$PWD
OUT=${OUT:-/tmp/out}
mkdir -p /tmp/p "$OUT" && tar -xJf "${SV_PACK_TAR:-.carry/pack.tar.xz}" -C /tmp/p
mkdir -p /tmp/dsrc && tar -xJf "${SV_DIFFUSERS_TAR:-.carry/dsrc.tar.xz}" -C /tmp/dsrc
P=/tmp/p/pack DSRC=/tmp/dsrc/diffusers_src
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
date -u
summary() {  # FILE: the sampling figures of a bench JSON
    python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['sampling']; print(' step %.4f s, peak %.2f GiB, weights %.2f GiB, call rel L2 %s' % (s['step_seconds'], s['peak_vram_gib'], s['weights_gib'], s.get('call_rel_l2_vs_float')))" "$1" 2>&1 | tail -1
}
for step in "$@"; do
    t0=$(date +%s)
    case $step in
    tests)
        for t in cuda_cuda_quantize_test cuda_cuda_gemma2_offload_test; do
            SV_TEST_DATA_DIR=$root/tests/data SV_REFERENCE_DIR=$root/tests/data/reference \
                $P/run.sh $t >"$OUT/$t.out" 2>&1
            echo "$t exit $?"
            grep -E '^\[  (PASSED|FAILED)|^\[       OK|Failure|Expected|Which|  Actual|relL2' "$OUT/$t.out" | head -30
        done
        ;;
    bench)
        for w in float fp8 int8; do
            $P/run.sh sanavideo bench --weights $w --skip decode --steps 5 --profile >"$OUT/bench_$w.json" 2>"$OUT/bench_$w.err"
            echo "bench $w exit $?: $(summary "$OUT/bench_$w.json")"
        done
        ;;
    policy)
        for v in none attn2.to_k,attn2.to_v attn2 attn1 ff.conv_inverted ff.conv_point ff.conv_temp; do
            k=()
            [ $v != none ] && k=(--keep-float $v)
            $P/run.sh sanavideo bench --weights fp8 "${k[@]}" --skip text --skip decode --steps 2 >"$OUT/policy_fp8_$v.json" 2>/dev/null
            echo "fp8, float kept: $v: $(summary "$OUT/policy_fp8_$v.json")"
        done
        $P/run.sh sanavideo bench --weights int8 --skip text --skip decode --steps 2 >"$OUT/policy_int8.json" 2>/dev/null
        echo "int8: $(summary "$OUT/policy_int8.json")"
        ;;
    ceil)
        python3 - >"$OUT/ceil.txt" 2>&1 <<'PY'
import time
import torch
n = 8192
a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
def timed(f, it=20):
    f(); torch.cuda.synchronize(); s = time.perf_counter()
    for _ in range(it): f()
    torch.cuda.synchronize(); return (time.perf_counter() - s) / it
bf = timed(lambda: a @ b)
a8 = a.to(torch.float8_e4m3fn); b8 = b.t().contiguous().to(torch.float8_e4m3fn).t()
sa = torch.ones(n, 1, device="cuda"); sb = torch.ones(1, n, device="cuda")
f8 = timed(lambda: torch._scaled_mm(a8, b8, scale_a=sa, scale_b=sb, out_dtype=torch.bfloat16))
print(f"bf16 GEMM {n}^3: {2*n**3/bf/1e12:.0f} TFLOP/s; fp8 row-wise scaled {n}^3: {2*n**3/f8/1e12:.0f} TFLOP/s")
PY
        tail -2 "$OUT/ceil.txt"
        ;;
    diffusers)
        PYTHONPATH=$DSRC timeout 240 python3 "$root/tests/data/reference/tools/bench.py" --video 480 \
            --out "$OUT/diffusers480.json" --sections transformer >"$OUT/diffusers480.log" 2>&1
        echo "diffusers exit $?"
        grep -E '^transformer B' "$OUT/diffusers480.log" | cut -c1-200
        ;;
    product)
        SV_PACK=$P OUT=$OUT/p8 SV_DIFFUSERS=$DSRC bash bench/product_8bit.sh >"$OUT/p8.out" 2>&1
        echo "product_8bit exit $?"
        tail -14 "$OUT/p8.out"
        ;;
    *) echo "unknown step $step" ;;
    esac
    echo "== $step: $(($(date +%s) - t0)) s"
done
