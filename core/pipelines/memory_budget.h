// Memory budgets: what a sampling or decoding request will need, computed from its shape and the model's
// configuration before anything is allocated, and refused with a clear error when it cannot fit. Without this
// a request such as 4096x4096x1001 frames, or a 6 KB latent file whose metadata claims 401 frames, is
// discovered only when an allocation of many gigabytes fails (or the machine starts swapping).
//
// The estimates are deliberately low: they count the tensors a request cannot do without (latents, RoPE
// tables, the transformer's token activations, the VAE decoder's full-resolution activations, the decoded
// frames), not the allocator's slack or the resident weights. A refused request therefore cannot have fitted;
// an accepted one may still fail later, with the backend's out-of-memory error.
//
// Limits: the device's total memory (CUDA) and the host's physical memory, each lowered by the environment
// variable SV_MEMORY_LIMIT_MB when it is set (a shared render box can keep requests small; the tests use it).
//
// Used by the shared pipeline stages (sampleLatents, decodeLatents; sana_stages.h), so the CLI and the nodes
// refuse the same requests with the same message.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/tensor.h"
#include "models/ltx2_vae_config.h"
#include "models/transformer_config.h"
#include "models/wan_vae_config.h"
#include "pipelines/sana_models.h"
#include "pipelines/video_geometry.h"

namespace sv {

/// Bytes a request needs: on the device that runs the model, and on the host besides. For a model on the CPU
/// both live in host memory.
struct MemoryEstimate {
    uint64_t deviceBytes = 0;
    uint64_t hostBytes = 0;
    std::string breakdown;  ///< "latents 1.2 GB, transformer activations 3.4 GB, ..." for the message
};

/// What the machine can hold (bytes; 0 = unknown, not checked).
struct MemoryCapacity {
    uint64_t deviceBytes = 0;
    uint64_t hostBytes = 0;
};

/// The limits for a model on `device`: the device's total memory and the host's physical memory, each capped
/// by SV_MEMORY_LIMIT_MB when set. For the CPU, deviceBytes is the host's.
MemoryCapacity memoryCapacity(Device device);

/// Checks the token grid of the transformer (frames, height and width in patches) against its RoPE table
/// length (rope_max_seq_len) before any table is built. Throws sv::Error naming the axis.
void checkRopeGrid(const TransformerConfig& transformer, std::array<int64_t, 3> latentGrid);

/// The sampling loop of `batch` videos of `latentShape` [B, C, F', h, w] (per video), with classifier-free
/// guidance doubling the transformer's rows, the transformer computing in `computeBytes`-byte floats.
MemoryEstimate estimateSampling(const TransformerConfig& transformer, std::array<int64_t, 5> latentShape,
                                bool guidance, size_t computeBytes);

/// What a streaming VAE decoder holds at its largest: `channels` F32 activations at 1/`downscale` of the
/// decoded size over `chunkFrames` frames, for `spatial`/`temporal` compression. Wan 2.1: its base dim at
/// full size, 4 frames (one latent frame); LTX-2: its first decoder block at 1/patch_size before the final
/// depth-to-space, one latent frame's `temporal` frames.
struct DecoderFootprint {
    int64_t spatial = 8, temporal = 4;
    int64_t channels = 96, chunkFrames = 4, downscale = 1;
};
DecoderFootprint decoderFootprint(const WanVaeConfig& vae);
DecoderFootprint decoderFootprint(const Ltx2VaeConfig& vae);

/// Decoding latents [B, C, F', h, w] with a VAE decoder of footprint `vae` to frames of outH x outW (0: the
/// decoded size), with the frames kept as F32 on the host (`keepFrames`) or handed to a sink that keeps them
/// as bytes.
MemoryEstimate estimateDecoding(const DecoderFootprint& vae, std::array<int64_t, 5> latentShape, int64_t outH,
                                int64_t outW, bool keepFrames);
inline MemoryEstimate estimateDecoding(const WanVaeConfig& vae, std::array<int64_t, 5> latentShape,
                                       int64_t outH, int64_t outW, bool keepFrames) {
    return estimateDecoding(decoderFootprint(vae), latentShape, outH, outW, keepFrames);
}

/// Throws sv::Error when `need` exceeds `capacity` (on a CPU model, device and host bytes add up on the
/// host):
/// "<what> needs about 1.3 TB on cuda:0 (...breakdown...), more than its 80.0 GB; use a smaller size or fewer
/// frames". `onHost`: the model runs on the CPU.
void checkMemory(const MemoryEstimate& need, const MemoryCapacity& capacity, bool onHost,
                 std::string_view what);

/// estimateSampling + checkMemory for the transformer of `models` (its device and weight dtype) sampling
/// `batch` videos of geometry `g`.
void checkSamplingMemory(const SanaModels& models, const VideoGeometry& g, int64_t batch, bool guidance);
/// estimateDecoding + checkMemory for the VAE decoder of `models` decoding `latents` [N, C, F', h, w].
void checkDecodingMemory(const SanaModels& models, const Shape& latents, int64_t outH, int64_t outW,
                         bool keepFrames);

}  // namespace sv
