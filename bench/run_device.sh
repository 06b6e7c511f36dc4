#!/usr/bin/env bash
# Runs on a GPU machine from the repository root, with binaries packed by shared/tools/pack-for-device.sh
# (cuda_cuda_*_test, sv_bench, sv_long_bench, core_long_sana_parity_test; for harnesses also xattn_harness, vaeconv_harness, glu_bench) in $SV_PACK and a
# diffusers source snapshot in $SV_DIFFUSERS:
#
#   bench/run_device.sh tests bench diffusers [compile]
#
#   tests      the GPU tests (ops against the CPU ops; the model and pipeline fixtures in fp32 and bf16; the LTX-2
#              VAE's kernels and fixtures)
#   altfixtures a second fixture set made on the spot by the reference generator (other seed, other shapes:
#              tests/data/reference/tools/variants_alt.json), the GPU tests run on it, and the set itself
#              → $OUT/alt_reference.tar.gz (run the CPU tests on it with SV_REFERENCE_DIR)
#   harnesses  the kernel harnesses (xattn_harness, vaeconv_harness, glu_bench: each kernel against a naive
#              GPU reference, then timed)                               → $OUT/harnesses.log
#   bench      sanavideo bench (our full-size T2V workload; SV_BENCH_ARGS="--family 720p" for the 720p one)
#                                                                      → $OUT/ours.json
#   diffusers  tests/data/reference/tools/bench.py, eager bf16 sections → $OUT/diffusers.json
#   compile    the same with torch.compile on the transformer          → $OUT/diffusers_compile.json
#   longsana   LongSANA's GPU tests (cuda_cuda_long_sana_test) and, when the set has the LongSANA fixtures,
#              the CPU parity test on them (core_long_sana_parity_test)
#   longref    diffusers PR #12723's LongSanaVideoPipeline, 81 and 961 frames (bench.py --sections longsana; the
#              longsana_ref package in $SV_LONGSANA_REF_PARENT, default .carry/)   → $OUT/longsana_pr.json
#   longbench  sv_long_bench: 81 frames, then 961 (one minute at 480×832, Y4M written to /tmp) → $OUT/long_81.json,
#              $OUT/long_961.json (peak VRAM 961 vs 81, host RSS per chunk, frames per second end to end)
#
# Ours and diffusers' run in the same call, so the ratio is measured on the same card at the same time.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PACK=${SV_PACK:-$here}
DIFFUSERS=${SV_DIFFUSERS:-$PWD/.carry/diffusers_src}
OUT=${OUT:-/tmp/sv_device_out}
BENCH_ARGS=${SV_BENCH_ARGS:-}
mkdir -p "$OUT"
export SV_REFERENCE_DIR=${SV_REFERENCE_DIR:-$PWD/tests/data/reference}
export SV_TEST_DATA_DIR=${SV_TEST_DATA_DIR:-$PWD/tests/data}
export PYTHONUNBUFFERED=1
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
status=0

# gpuTest NAME LOG [LABEL]: runs one packed GPU test binary (with the SV_REFERENCE_DIR in effect), prints its
# exit code and the lines that matter, and appends its whole output to LOG.
gpuTest() {
    "$PACK/run.sh" "$1" > "$OUT/test.log" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || status=1
    echo "== $1${3:+ $3}: exit $rc"
    grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[       OK|^\[  FAILED|Failure|rel L2 .* > |Expected|Which is' "$OUT/test.log" | head -60
    cat "$OUT/test.log" >> "$2"
    rm -f "$OUT/test.log"
}

for step in "$@"; do
    t0=$(date +%s)
    case $step in
        tests)
            : > "$OUT/tests.log"
            for t in cuda_cuda_basics_test cuda_cuda_ops_test cuda_cuda_models_test cuda_cuda_pipeline_test \
                cuda_cuda_ltx2_test cuda_cuda_randn_test cuda_cuda_lora_test cuda_cuda_quantize_test \
                cuda_cuda_gemma2_offload_test; do
                gpuTest "$t" "$OUT/tests.log"
            done
            ;;
        altfixtures)
            alt=/tmp/sv_alt_reference
            rm -rf "$alt"
            SV_FIXTURE_VARIANTS=${SV_ALT_VARIANTS:-$PWD/tests/data/reference/tools/variants_alt.json} PYTHONPATH=$DIFFUSERS \
                python3 tests/data/reference/tools/make_fixtures.py --seed ${SV_ALT_SEED:-5} --variant alt \
                --out "$alt" > "$OUT/altfixtures.log" 2>&1 || status=1
            tail -3 "$OUT/altfixtures.log"
            tar -C "$alt" -czf "$OUT/alt_reference.tar.gz" .
            for t in cuda_cuda_models_test cuda_cuda_pipeline_test; do
                SV_REFERENCE_DIR=$alt gpuTest "$t" "$OUT/altfixtures.log" "on the alt set"
            done
            ;;
        harnesses)
            : > "$OUT/harnesses.log"
            for h in xattn_harness vaeconv_harness glu_bench; do
                "$PACK/run.sh" "$h" >> "$OUT/harnesses.log" 2>&1
                rc=$?
                [ $rc -eq 0 ] || status=1
                echo "== $h: exit $rc"
            done
            grep -E 'FAIL|failures|TIME|error' "$OUT/harnesses.log" | head -40
            ;;
        bench)
            "$PACK/run.sh" sv_bench $BENCH_ARGS > "$OUT/ours.json" 2> "$OUT/ours.err" || status=1
            echo "== ours:"; cat "$OUT/ours.json"; tail -5 "$OUT/ours.err"
            ;;
        longsana)
            : > "$OUT/longsana.log"
            gpuTest cuda_cuda_long_sana_test "$OUT/longsana.log"
            if [ -d "$SV_REFERENCE_DIR/longsana_pipeline_tiny" ]; then
                gpuTest core_long_sana_parity_test "$OUT/longsana.log" "(CPU, on the device's fixture set)"
            fi
            ;;
        longref)
            PYTHONPATH=$DIFFUSERS:${SV_LONGSANA_REF_PARENT:-$PWD/.carry} python3 tests/data/reference/tools/bench.py \
                --out "$OUT/longsana_pr.json" --sections longsana > "$OUT/longsana_pr.log" 2>&1 || status=1
            echo "== LongSANA reference (diffusers PR):"; grep -E '^(longsana PR|== section)|Error' "$OUT/longsana_pr.log" | cut -c1-400
            ;;
        longbench)
            for f in 81 961; do
                "$PACK/run.sh" sv_long_bench --frames $f --out /tmp/sv_long_$f.y4m > "$OUT/long_$f.json" 2> "$OUT/long_$f.err" || status=1
                echo "== LongSANA $f frames:"
                grep -E '"(total_s|generate_s|sampling_s|decoding_s|text_encode_s|fps_end_to_end|peak_vram_gib|host_rss_mib|frames|y4m_frames_on_disk)"' "$OUT/long_$f.json" | tail -12
                tail -3 "$OUT/long_$f.err"
                rm -f /tmp/sv_long_$f.y4m
            done
            ;;
        diffusers)
            PYTHONPATH=$DIFFUSERS python3 tests/data/reference/tools/bench.py --out "$OUT/diffusers.json" \
                --sections ${SV_DIFFUSERS_SECTIONS:-ceil,flops,transformer,gemma,vae,pipeline} > "$OUT/diffusers.log" 2>&1 || status=1
            echo "== diffusers:"; grep -E '^(transformer B|gemma L|vae |pipeline |analytic|== section|ceil)' "$OUT/diffusers.log" | cut -c1-400
            ;;
        compile)
            PYTHONPATH=$DIFFUSERS python3 tests/data/reference/tools/bench.py --out "$OUT/diffusers_compile.json" \
                --sections compile > "$OUT/diffusers_compile.log" 2>&1 || status=1
            echo "== diffusers compiled:"; grep -E '^(compiled|pipeline |== section)' "$OUT/diffusers_compile.log" | cut -c1-400
            ;;
        *)
            echo "unknown step $step" >&2
            status=2
            ;;
    esac
    echo "== step $step: $(( $(date +%s) - t0 )) s"
done
exit $status
