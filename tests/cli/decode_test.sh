#!/usr/bin/env bash
# A run split in two: `generate --save-latents FILE` (with the video, or --no-decode without it), then `sanavideo
# decode FILE` into a video. On the CPU both halves are deterministic (the same f32 ops on the same latents, the
# same frame conversion), so the decoded Y4M must equal the one generate wrote byte for byte; checked for the
# 480p (Wan 2.1) and 720p (LTX-2) demo models. Then the errors: the outputs are checked before any model work,
# and bad latents files name their problem. Y4M only, so it runs in builds without FFmpeg (the device preset).
#   decode_test.sh SANAVIDEO WORK_DIR
set -u
sv=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
# expect RC REGEX ARGS...: sanavideo ARGS exits with RC and prints REGEX (grep -E on the output as one line)
expect() {
    local want=$1 regex=$2
    shift 2
    "$sv" "$@" >"$work/out.txt" 2>&1
    local rc=$?
    [ "$rc" -eq "$want" ] && tr '\n' ' ' <"$work/out.txt" | grep -qE -- "$regex" ||
        { cat "$work/out.txt"; fail "sanavideo $* -> $rc, expected $want and /$regex/"; }
}

"$sv" make-demo-model "$work/m480" >/dev/null || fail "make-demo-model"
"$sv" make-demo-model "$work/m720" --family 720p >/dev/null || fail "make-demo-model --family 720p"
"$sv" make-demo-model "$work/mlong" --family longsana >/dev/null || fail "make-demo-model --family longsana"

# family SIZE...: generate writes the video and the latents; decode of the latents gives the same bytes; a
# --no-decode run writes the same latents without loading the VAE decoder.
roundtrip() {
    local name=$1
    shift
    local args=(--model "$work/$name" --prompt "a red fox" --steps 2 --no-binning --device cpu "$@")
    expect 0 "wrote $work/$name.safetensors \(the sampled latents.*wrote $work/$name.y4m" \
        generate "${args[@]}" --out "$work/$name.y4m" --save-latents "$work/$name.safetensors"
    expect 0 "VAE decoder .*wrote $work/$name-decoded.y4m" \
        decode "$work/$name.safetensors" --model "$work/$name" --device cpu --out "$work/$name-decoded.y4m"
    cmp -s "$work/$name.y4m" "$work/$name-decoded.y4m" || fail "$name: decode wrote other frames than generate"
    expect 0 "wrote $work/$name-only.safetensors" \
        generate "${args[@]}" --save-latents "$work/$name-only.safetensors" --no-decode
    grep -q "Save Video\|VAE Decode" "$work/out.txt" && fail "$name: --no-decode ran a decode or save"
    grep -q "VAE decoder" "$work/out.txt" && fail "$name: --no-decode loaded the VAE decoder"
    # The same latents (the files differ only in the embedded graph): the decoded videos are the same.
    "$sv" decode "$work/$name-only.safetensors" --model "$work/$name" --device cpu --out - \
        >"$work/$name-only.y4m" 2>/dev/null || fail "$name: decode --out -"
    cmp -s "$work/$name.y4m" "$work/$name-only.y4m" || fail "$name: --no-decode latents decode differently"
}
roundtrip m480 --height 48 --width 64 --frames 9
roundtrip m720 --height 64 --width 96 --frames 9
ls -a "$work" | grep -q sanavideo-generate && fail "a staging folder was left behind"

# A batch of two (--num-videos 2): one file holds both latents; decode writes numbered videos (MP4 only, so
# skipped in a build without FFmpeg).
expect 0 "wrote $work/batch.safetensors" generate --model "$work/m480" --prompt "a fox" --num-videos 2 \
    --height 32 --width 32 --frames 5 --steps 1 --no-binning --device cpu --save-latents "$work/batch.safetensors" \
    --no-decode
expect 1 "--out: several videos \(2\) are written as numbered .mp4 files" \
    decode "$work/batch.safetensors" --model "$work/m480" --device cpu --out "$work/b.y4m"
if "$sv" decode "$work/batch.safetensors" --model "$work/m480" --device cpu --out "$work/b.mp4" >"$work/out.txt" 2>&1; then
    tr '\n' ' ' <"$work/out.txt" | grep -qE "wrote $work/b_001.mp4 .*wrote $work/b_002.mp4" ||
        { cat "$work/out.txt"; fail "the batch was not written as b_001.mp4 and b_002.mp4"; }
else
    grep -qi "ffmpeg" "$work/out.txt" || { cat "$work/out.txt"; fail "decode of the batch to b.mp4"; }
    echo "no FFmpeg in this build: the batch's MP4s are skipped"
fi

# ---- generate: --save-latents checked before any model work
touch "$work/taken.safetensors"
expect 1 "--save-latents: .*taken.safetensors exists \(add --overwrite" generate --model "$work/m480" --prompt x \
    --height 32 --width 32 --frames 5 --steps 1 --no-binning --device cpu --save-latents "$work/taken.safetensors" \
    --no-decode
grep -q "Load Model" "$work/out.txt" && fail "an existing --save-latents file was found after loading"
expect 1 "--save-latents: folder .*no-such-dir does not exist" generate --model "$work/m480" --prompt x \
    --save-latents "$work/no-such-dir/x.safetensors" --no-decode
expect 1 "--save-latents: .*x.pt\" is not a .safetensors file" generate --model "$work/m480" --prompt x \
    --save-latents "$work/x.pt" --no-decode
expect 1 "--save-latents: a LongSANA video is sampled and decoded chunk by chunk" generate --model "$work/mlong" \
    --prompt x --frames 5 --save-latents "$work/long.safetensors" --out "$work/long.y4m"
expect 2 "--no-decode excludes --out|--out excludes --no-decode" generate --model "$work/m480" --prompt x \
    --save-latents "$work/y.safetensors" --no-decode --out "$work/y.y4m"

# ---- decode: bad outputs, bad latents files, latents of another model family
M=(--model "$work/m480" --device cpu)
expect 1 "latent file '.*missing.safetensors' does not exist" decode "$work/missing.safetensors" "${M[@]}" \
    --out "$work/x.y4m"
expect 1 "--out: .*m480.y4m exists \(add --overwrite" decode "$work/m480.safetensors" "${M[@]}" --out "$work/m480.y4m"
expect 1 "--out: \".*x.avi\" is not an .mp4 or .y4m file" decode "$work/m480.safetensors" "${M[@]}" --out "$work/x.avi"
expect 1 "--out: decode writes an .mp4 or .y4m file" decode "$work/m480.safetensors" "${M[@]}" --out "$work/frames/"
expect 1 "not a safetensors file" decode "$work/m480.y4m" "${M[@]}" --out "$work/x.y4m"
expect 1 "--vae-dtype: the CPU backend runs in f32 only, got bf16" decode "$work/m480.safetensors" "${M[@]}" \
    --vae-dtype bf16 --out "$work/x.y4m"
# 720p latents (8x temporal compression) on the 480p model (4x): VAE Decode names the mismatch
expect 1 "input 'latent': .*claims 9 frames, but the model's VAE \(AutoencoderKLWan\) decodes 2 latent frames to 5" \
    decode "$work/m720.safetensors" "${M[@]}" --out "$work/x.y4m"
# Hand-made files: 32 latent channels (the demo VAE has 16), a rank-4 tensor, a 9-frame claim on 2 latent frames
write() {  # write FILE SHAPE FRAMES: a safetensors file with an F32 "latents" of zeros and Save Latent metadata
    python3 - "$@" <<'EOF'
import json, struct, sys
path, shape, frames = sys.argv[1], [int(x) for x in sys.argv[2].split(",")], sys.argv[3]
n = 1
for d in shape: n *= d
meta = {"format": "sanavideo.latent", "version": "1", "kind": "video", "width": "64", "height": "48", "frames": frames}
header = json.dumps({"__metadata__": meta, "latents": {"dtype": "F32", "shape": shape, "data_offsets": [0, 4 * n]}})
header += " " * (-len(header) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header.encode() + bytes(4 * n))
EOF
}
write "$work/c32.safetensors" 1,32,3,6,8 9
expect 1 "c32.safetensors holds latents of 32 channels, but the VAE of .*m480 \(AutoencoderKLWan\) takes 16" \
    decode "$work/c32.safetensors" "${M[@]}" --out "$work/x.y4m"
grep -q "Load Model" "$work/out.txt" && fail "the channel count was checked after loading"
write "$work/rank4.safetensors" 16,3,6,8 9
expect 1 "tensor \"latents\" must be \[N, C, F', h, w\].*got \[16, 3, 6, 8\]" \
    decode "$work/rank4.safetensors" "${M[@]}" --out "$work/x.y4m"
write "$work/liar.safetensors" 1,16,2,6,8 401
expect 1 "LATENTS: .*metadata claims 401 frames, but its tensor \[1, 16, 2, 6, 8\] holds 2 latent frames, which decode to 5 or 9" \
    decode "$work/liar.safetensors" "${M[@]}" --out "$work/x.y4m"
# A header that declares a tensor far larger than the file
python3 - "$work/huge.safetensors" <<'EOF'
import json, struct, sys
h = json.dumps({"__metadata__": {"format": "sanavideo.latent"},
                "latents": {"dtype": "F32", "shape": [1, 16, 100000, 512, 512], "data_offsets": [0, 4 * 16 * 100000 * 512 * 512]}})
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h.encode() + bytes(64))
EOF
expect 1 "huge.safetensors" decode "$work/huge.safetensors" "${M[@]}" --out "$work/x.y4m"
[ -e "$work/x.y4m" ] && fail "a refused decode wrote x.y4m"
ls -a "$work" | grep -q sanavideo-generate && fail "a refused decode left a staging folder"
echo "decode_test: ok"
