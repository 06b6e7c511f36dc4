// The op vocabulary as the backends see it: one enumerator per kernel-table entry (backend/kernels.h), with
// the public entry point that reaches it (core/ops/) and the order of its tensor operands, which is the order
// ops pass them to Backend::supports() and that the error messages list.
#pragma once

#include <cstdint>
#include <string_view>

namespace sv {

// X(enumerator, public entry point, tensor operands, kernel entry in backend/kernels.h; ops may share one).
// Adding an op: docs/ARCHITECTURE.md, "Adding an op".
#define SV_OPS(X)                                                                                     \
    X(Add, "ops::add", "a, b", binary)                                                                \
    X(Sub, "ops::sub", "a, b", binary)                                                                \
    X(Mul, "ops::mul", "a, b", binary)                                                                \
    X(Scale, "ops::scale", "x", unary)                                                                \
    X(Silu, "ops::silu", "x", unary)                                                                  \
    X(GeluTanh, "ops::geluTanh", "x", unary)                                                          \
    X(Relu, "ops::relu", "x", unary)                                                                  \
    X(Clamp, "ops::clampValues", "x", unary)                                                          \
    X(LinearCombination, "ops::linearCombination", "inputs", linearCombination)                       \
    X(NormalizeLatents, "ops::normalizeLatents", "z, mean, invStd", channelAffine)                    \
    X(DenormalizeLatents, "ops::denormalizeLatents", "z, mean, invStd", channelAffine)                \
    X(GeluTanhGate, "ops::geluTanhGate", "gate, up", geluTanhGate)                                    \
    X(GluSilu, "ops::dit::gluSilu", "x", gluSilu)                                                     \
    X(Linear, "ops::linear", "x, w, bias", linear)                                                    \
    X(LinearFp8, "ops::linearFp8", "x, w, bias", linearFp8)                                           \
    X(GatedMlp, "ops::gemmaMlp", "x, gateW, upW, downW", gatedMlp)                                    \
    X(RmsNorm, "ops::dit::rmsNorm", "x, weight", rmsNorm)                                             \
    X(OffsetRmsNorm, "ops::gemmaRmsNorm", "x, w, residual", offsetRmsNorm)                            \
    X(ChannelRmsNorm, "ops::wanRmsNorm", "x, gamma", channelRmsNorm)                                  \
    X(LtxChannelNorm, "ops::ltx::channelNorm", "x, weight, bias", ltxChannelNorm)                     \
    X(LayerNormModulate, "ops::dit::layerNormModulate", "x, shift, scale, index", layerNormModulate)  \
    X(GatedResidual, "ops::dit::gatedResidual", "x, branch, gate, index", gatedResidual)              \
    X(GatherRows, "ops::dit::gatherRows", "table, index", gatherRows)                                 \
    X(ExpandRope, "ops::dit::ropeTables", "", expandRope)                                             \
    X(ApplyRope, "ops::dit::applyRope", "x, cos, sin", applyRope)                                     \
    X(HalfRotary, "ops::gemmaApplyRotary", "x, cos, sin", halfRotary)                                 \
    X(ReluLinearAttention, "ops::dit::reluLinearAttention", "q, k, v, cos, sin", reluLinearAttention) \
    X(ReluLinearAttentionCached, "ops::dit::reluLinearAttentionCached",                               \
      "q, k, v, cos, sin, past.vk, past.kSum", reluLinearAttention)                                   \
    X(CrossAttention, "ops::dit::crossAttention", "q, k, v, bias", crossAttention)                    \
    X(CausalAttention, "ops::gemmaAttention", "q, k, v, keyMask", causalAttention)                    \
    X(FrameAttention, "ops::vaeFrameAttention", "qkv", frameAttention)                                \
    X(DepthwiseConv3x3, "ops::dit::depthwiseConv3x3", "x, weight, bias", depthwiseConv3x3)            \
    X(SiluDepthwiseGlu, "ops::dit::siluDepthwiseGlu", "x, weight, bias", siluDepthwiseGlu)            \
    X(TemporalConv3, "ops::dit::temporalConv3", "x, weight", temporalConv3)                           \
    X(CausalConv3d, "ops::causalConv3d", "x, cache, w, bias, residual", causalConv3d)                 \
    X(LtxConv3d, "ops::ltx::conv3d", "x, cache, w, bias, residual", causalConv3d)                     \
    X(UpsampleNearest2x, "ops::upsampleNearest2x", "x", upsampleNearest2x)                            \
    X(InterleaveTimeHalves, "ops::interleaveTimeHalves", "x", interleaveTimeHalves)                   \
    X(DepthToSpace, "ops::ltx::depthToSpace", "y, residual", depthToSpace)                            \
    X(SpaceToDepth, "ops::ltx::spaceToDepth", "x, residual", spaceToDepth)                            \
    X(ResizeLanczos, "ops::resizeLanczosPil", "image", resizeLanczos)                                 \
    X(ResizeBilinear, "ops::resizeBilinear", "x", resizeBilinear)                                     \
    X(Embed, "ops::gemmaEmbed", "table, ids", embed)                                                  \
    X(QuantizePerChannel, "ops::quantizePerChannel", "w", quantize)                                   \
    X(Dequantize, "ops::dequantize", "w", dequantize)                                                 \
    X(PhiloxNormal, "ops::philoxNormal", "", philoxNormal)

enum class Op : uint8_t {
#define SV_OP_ENUM(name, entry, operands, kernel) name,
    SV_OPS(SV_OP_ENUM)
#undef SV_OP_ENUM
        Count
};

/// The public entry point of op, e.g. "ops::linear".
std::string_view opName(Op op);
/// Its tensor operands in dispatch order, e.g. "x, w, bias".
std::string_view opOperands(Op op);

}  // namespace sv
