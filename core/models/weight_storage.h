// How a model's weights are stored once loaded: in the model dtype, or — for the large linear weights of the
// transformer and the Gemma-2 text encoder — as 8-bit codes with one F32 scale per output channel
// (ops/quantize.h), quantized at load or read as stored in an FP8/int8 checkpoint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/tensor.h"

namespace sv {

class WeightArchive;

/// What the loader does with the weights eightBitEligible() admits. Every other weight is converted to the
/// model dtype (LoadOptions::dtype) whatever the choice; so are 8-bit stored ones (dequantized).
enum class WeightStorage : uint8_t {
    Auto,  ///< as stored: 8-bit checkpoint weights stay 8-bit, float ones go to the model dtype (today's run)
    Float,  ///< every weight in the model dtype: 8-bit checkpoint weights are dequantized
    Int8,   ///< eligible weights quantized (or requantized) to I8 per output channel
    Fp8,    ///< eligible weights quantized to F8E4M3 per output channel (an e4m3 checkpoint's kept as stored)
};
std::string_view weightStorageName(WeightStorage s);
/// "auto", "float", "int8" or "fp8"; sv::Error naming `what` (the option or parameter) otherwise.
WeightStorage parseWeightStorage(std::string_view name, std::string_view what);

/// The per-layer policy, in one place: true for the weights that may be stored in 8 bits. These are the big
/// matrices that hold nearly all the parameters and feed one GEMM each: the transformer's attention
/// projections (attn1/attn2 to_q, to_k, to_v, to_out.0), feed-forward 1×1 convolutions (ff.conv_inverted,
/// ff.conv_point) and dense temporal convolution (ff.conv_temp, D×D×3: three GEMMs), Gemma-2's q/k/v/o
/// projections and MLP gate/up/down. Everything else stays in the model
/// dtype, as bitsandbytes' load_in_8bit and ComfyUI's fp8 checkpoints keep them (issue 12): the patch
/// embedding, time embedding, caption projection and proj_out are small and sensitive (they feed the
/// modulation of every block or the output directly); norms, scale-shift tables, biases and the depthwise
/// convolution are not GEMM weights; the embedding table is a gather; the VAE is not touched.
/// In F8E4M3 (FP8 compute: activations quantized too, ops::linearFp8) the transformer's cross-attention
/// (attn2.*) stays in the model dtype as well: measured on the full-size 2B transformer with random weights
/// (docs/PERFORMANCE.md, `sanavideo bench --weights fp8 --keep-float`), FP8 cross-attention triples a
/// model call's error (relative L2 0.058 against the float weights; 0.019 with attn2 kept, int8 weights
/// 0.018): the rounding of q and k is amplified by the softmax over the caption tokens. The self-attention,
/// whose ReLU kernel has no exponential, and the feed-forward each moved it by under 0.001.
bool eightBitEligible(std::string_view weightName, DType format);

/// The format `--weights fp8` (WeightStorage::Fp8) quantizes a float weight to at load: F8E4M3 for the
/// transformer, whose FP8 weights feed FP8 compute (ops::linearFp8), and I8 for Gemma-2's, which stay
/// weight-only (ops::linear) and run once per prompt: there int8's 7 bits at a row's absmax hold the weight
/// better than e4m3's 3-bit mantissa in the same byte, and the prompt embeddings condition every step
/// (measured: docs/PERFORMANCE.md). FP8 checkpoints loaded as stored (`auto`) keep their format.
DType fp8StorageFormat(std::string_view weightName);

/// The conventional companion scale tensors of an 8-bit checkpoint weight stored as "<module>.weight":
/// "<module>.weight_scale" (ComfyUI comfy/ops.py MixedPrecisionOps.Linear._load_from_state_dict; the
/// compressed-tensors / vLLM FP8 format) and "<module>.scale_weight" (ComfyUI's older "scaled_fp8"
/// checkpoints, e.g. Kijai's WanVideo_comfy_fp8_scaled). The scale's name in `archive`, or "" when it has
/// none.
std::string findWeightScale(const WeightArchive& archive, std::string_view storedWeightName);
/// True for a checkpoint tensor that belongs to an 8-bit weight's quantization rather than to the model: the
/// scales above, the activation scales of FP8-compute checkpoints ("<module>.input_scale",
/// "<module>.scale_input", unused by weight-only storage), ComfyUI's per-layer "<module>.comfy_quant" config
/// and its "scaled_fp8" marker. The loader consumes or skips them instead of calling them unexpected.
bool isQuantizationCompanion(const WeightArchive& archive, std::string_view storedName);

/// The 8-bit checkpoint tensor `stored` (I8 / F8_E4M3, CPU) with its per-row scales read from `scaleName`:
/// a scalar (shape [] or [1]) broadcast to every row, or [rows] / [rows, 1]; any float dtype. sv::Error
/// naming `source` and the weight for a missing or misshaped scale and for non-finite scales.
Tensor attachStoredScales(const WeightArchive& archive, const Tensor& stored, std::string_view storedName,
                          std::string_view scaleName);

}  // namespace sv
