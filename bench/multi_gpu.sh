#!/usr/bin/env bash
# Multi-GPU sampling scaling (issue 15): sv_bench's sampling stage on 1, 2, 4 and 8 GPUs of one host
# (the default 480×832×81, bf16; random weights, the same seed), each run's latents compared with the
# one-GPU run. Not run yet (no multi-GPU machine was lent); run it on nvidia-h200-x8 (or -x2/-x4: the
# counts above the machine's GPUs are skipped).
#
# Usage: bench/multi_gpu.sh PACK_DIR OUT_DIR [extra sv_bench args]
#   PACK_DIR: /work/shared/tools/pack-for-device.sh output holding sv_bench and run.sh (as bench/run_device.sh)
#   Needs libnccl.so.2 on LD_LIBRARY_PATH (PyTorch's nvidia-nccl-cu12 wheel: site-packages/nvidia/nccl/lib).
# Writes OUT_DIR/gpus_N.json and gpus_N.safetensors and prints one line per N: median step time, speed-up
# over one GPU, per-GPU peak VRAM and the relative L2 difference of the latents from the one-GPU run.
set -euo pipefail
PACK=${1:?pack dir}
OUT=${2:?out dir}
shift 2
mkdir -p "$OUT"
export NCCL_NVLS_ENABLE=0  # NVLink multicast stays off (the engine sets it too)
have=$(nvidia-smi -L | wc -l)
for n in 1 2 4 8; do
    if [ "$n" -gt "$have" ]; then echo "gpus=$n: skipped (this machine has $have GPUs)"; continue; fi
    "$PACK/run.sh" sv_bench --skip text --skip decode --steps 3 --gpus "$n" \
        --save-latents "$OUT/gpus_$n.safetensors" "$@" > "$OUT/gpus_$n.json" 2> "$OUT/gpus_$n.err"
done
python3 - "$OUT" <<'PY'
import json, os, struct, sys
import numpy as np
out = sys.argv[1]
def latents(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])["latents"]
    a, e = h["data_offsets"]
    return np.frombuffer(b[8 + n + a:8 + n + e], dtype=np.float32)
base = latents(os.path.join(out, "gpus_1.safetensors"))
t1 = json.load(open(os.path.join(out, "gpus_1.json")))["sampling"]["step_seconds"]
for n in (1, 2, 4, 8):
    j = os.path.join(out, f"gpus_{n}.json")
    if not os.path.exists(j) or os.path.getsize(j) == 0: continue
    s = json.load(open(j))["sampling"]
    x = latents(os.path.join(out, f"gpus_{n}.safetensors"))
    rel = float(np.linalg.norm(x - base) / np.linalg.norm(base))
    peak = s.get("peak_vram_gib_per_gpu", s.get("peak_vram_gib"))
    print(f"gpus={n}: step {s['step_seconds']:.3f} s, speed-up {t1 / s['step_seconds']:.2f}x, "
          f"peak VRAM/GPU {peak}, latents rel L2 vs 1 GPU {rel:.2e}")
PY
