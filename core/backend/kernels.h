// The kernel table a backend fills: one function pointer per entry (several ops may share one, e.g. add, sub
// and mul share `binary`; backend/op.cpp maps them), null where the backend has no kernel
// (Backend::supports() then answers no). The public entry points in core/ops/ have validated the
// operands and derived the shapes before they call an entry, so a kernel asserts only its own contract: the
// dtypes and devices its backend's supports() admitted. Every entry returns a new tensor on the operands'
// device. The shapes each op computes are documented in its core/ops/ header.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "backend/op.h"
#include "base/tensor.h"
#include "ops/dit_causal_attention.h"
#include "ops/dit_rope.h"
#include "ops/gemma_attention.h"
#include "ops/ltx_vae.h"
#include "ops/philox_normal.h"
#include "ops/resize.h"

namespace sv {

enum class BinaryOp : uint8_t { Add, Sub, Mul };
/// Scale multiplies by p0; Clamp clamps to [p0, p1]; the others ignore p0 and p1.
enum class UnaryOp : uint8_t { Scale, Silu, GeluTanh, Relu, Clamp };

/// A 3D convolution as ops::causalConv3d and ops::ltx::conv3d derive it (core/ops/conv.cpp): x [batch, cin,
/// t, h, w] after `front` zero frames and `tc` cached frames and followed by `back` frames that repeat the
/// last one (the LTX-2 VAE's temporal replicate padding), kernel [cout, cin, kt, kh, kw], strides (st, sh,
/// sw), spatial padding of zeros or, with `reflect`, of the mirrored inside (PyTorch "reflect": padding <
/// extent), output [batch, cout, to, ho, wo].
struct ConvGeometry {
    int64_t batch = 0, cin = 0, cout = 0;
    int64_t t = 0, tc = 0, h = 0, w = 0;
    int64_t kt = 0, kh = 0, kw = 0;
    int64_t st = 1, sh = 1, sw = 1;
    int64_t front = 0, top = 0, bottom = 0, left = 0, right = 0;
    int64_t back = 0;
    bool reflect = false;
    int64_t to = 0, ho = 0, wo = 0;

    /// GEMM depth: cin·kt·kh·kw.
    int64_t k() const { return cin * kt * kh * kw; }
    /// Output positions per batch entry and channel: to·ho·wo.
    int64_t n() const { return to * ho * wo; }
    /// A 1×1×1 convolution without padding, stride or cache: one plain GEMM per batch entry.
    bool pointwise() const {
        return kt * kh * kw == 1 && front == 0 && tc == 0 && back == 0 && st == 1 && sh == 1 && sw == 1 &&
               top == 0 && bottom == 0 && left == 0 && right == 0;
    }
};

// The kernel entries, X(name, function type): one pointer each in Kernels, and one function of that name in
// the namespace of each backend that implements it (SV_DECLARE_KERNELS). Grouped by op family, with the
// core/ops header whose contract each family implements.
#define SV_KERNELS(X)                                                                                            \
    /* elementwise (ops/elementwise.h, lincomb.h, vae_resample.h, gemma_mlp.h, dit_conv.h) */                    \
    /* a (op) b broadcast to `out` (ops::broadcastShape), any strides */                                         \
    X(binary, Tensor(const Tensor& a, const Tensor& b, const Shape& out, BinaryOp op))                           \
    X(unary, Tensor(const Tensor& x, UnaryOp op, float p0, float p1))                                            \
    X(linearCombination, Tensor(std::span<const double> coefs, std::span<const Tensor> inputs))                  \
    /* normalize: (z − mean_c)·invStd_c; inverse: z / invStd_c + mean_c (channel axis 1) */                   \
    X(channelAffine, Tensor(const Tensor& z, const Tensor& mean, const Tensor& invStd, bool inverse))            \
    X(geluTanhGate, Tensor(const Tensor& gate, const Tensor& up))                                                \
    X(gluSilu, Tensor(const Tensor& x))                                                                          \
    /* linear layers (ops/linear.h, ops/gemma_mlp.h) */                                                          \
    X(linear, Tensor(const Tensor& x, const Tensor& w, const Tensor& bias))                                      \
    /* x · w (F8E4M3 with per-row scales)ᵀ with x quantized per row to e4m3 (ops/linear.h, linearFp8) */      \
    X(linearFp8, Tensor(const Tensor& x, const Tensor& w, const Tensor& bias))                                   \
    X(gatedMlp, Tensor(const Tensor& x, const Tensor& gateW, const Tensor& upW, const Tensor& downW))            \
    /* normalisation and modulation (ops/dit_norm.h, ops/gemma_norm.h, ops/vae_norm.h, ops/ltx_vae.h) */         \
    X(rmsNorm, Tensor(const Tensor& x, const Tensor& weight, float eps))                                         \
    /* Gemma's y = x·rsqrt(mean(x²) + eps)·(1 + w), plus residual when defined */                             \
    X(offsetRmsNorm, Tensor(const Tensor& x, const Tensor& w, double eps, const Tensor& residual))               \
    /* the Wan VAE's L2 norm over the channel axis 1, then SiLU when asked */                                    \
    X(channelRmsNorm, Tensor(const Tensor& x, const Tensor& gamma, bool silu))                                   \
    /* the LTX-2 VAE's norm over the channel axis 1 (RMS or LayerNorm), then SiLU when asked */                  \
    X(ltxChannelNorm, Tensor(const Tensor& x, const Tensor& weight, const Tensor& bias,                          \
                             ops::ltx::ChannelNorm kind, float eps, bool silu))                                  \
    X(layerNormModulate,                                                                                         \
      Tensor(const Tensor& x, const Tensor& shift, const Tensor& scale, const Tensor& index, float eps))         \
    X(gatedResidual, Tensor(const Tensor& x, const Tensor& branch, const Tensor& gate, const Tensor& index))     \
    X(gatherRows, Tensor(const Tensor& table, const Tensor& index))                                              \
    /* rotary embeddings (ops/dit_rope.h, ops/gemma_attention.h); expandRope: [N, Σsplit] tables on device      \
     */                                                                                                          \
    /* from the per-axis tables (axis a: grid[a] × split[a] floats, concatenated), tokens (f, h, w) */          \
    X(expandRope,                                                                                                \
      ops::dit::RopeTables(std::span<const float> axisCos, std::span<const float> axisSin,                       \
                           std::array<int, 3> split, std::array<int64_t, 3> grid, Device device))                \
    X(applyRope, Tensor(const Tensor& x, const ops::dit::RopeTables& rope))                                      \
    X(halfRotary, Tensor(const Tensor& x, const ops::GemmaRotary& tables))                                       \
    /* attention (ops/dit_attention.h, ops/dit_causal_attention.h, ops/gemma_attention.h, */                     \
    /* ops/vae_attention.h) */                                                                                   \
    /* reluLinearAttention: `past` (null or undefined: none) added to the state, `own` (may be null) */          \
    /* receives the call's own state (ops/dit_causal_attention.h); without either the stateless op */            \
    X(reluLinearAttention,                                                                                       \
      Tensor(const Tensor& q, const Tensor& k, const Tensor& v, int heads, const ops::dit::RopeTables& rope,     \
             const ops::dit::LinearAttentionState* past, ops::dit::LinearAttentionState* own))                   \
    X(crossAttention,                                                                                            \
      Tensor(const Tensor& q, const Tensor& k, const Tensor& v, int heads, const Tensor& bias))                  \
    X(causalAttention, Tensor(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keyMask,          \
                              const ops::GemmaAttentionParams& params))                                          \
    X(frameAttention, Tensor(const Tensor& qkv))                                                                 \
    /* convolutions (ops/dit_conv.h, ops/vae_conv.h, ops/ltx_vae.h); causalConv3d: conv(x after the */           \
    /* cache, w) + bias + residual, where cache, bias and residual may be undefined */                           \
    X(depthwiseConv3x3, Tensor(const Tensor& x, const Tensor& weight, const Tensor& bias))                       \
    X(siluDepthwiseGlu, Tensor(const Tensor& x, const Tensor& weight, const Tensor& bias))                       \
    X(temporalConv3, Tensor(const Tensor& x, const Tensor& weight))                                              \
    X(causalConv3d, Tensor(const Tensor& x, const Tensor& cache, const Tensor& w, const Tensor& bias,            \
                           const Tensor& residual, const ConvGeometry& geometry))                                \
    /* resampling (ops/vae_resample.h, ops/ltx_vae.h, ops/resize.h) */                                           \
    X(upsampleNearest2x, Tensor(const Tensor& x))                                                                \
    X(interleaveTimeHalves, Tensor(const Tensor& x))                                                             \
    /* the LTX-2 VAE's shuffles (ops/ltx_vae.h); residual may be undefined */                                    \
    X(depthToSpace, Tensor(const Tensor& y, const Tensor& residual, ops::ltx::Factors f,                         \
                           ops::ltx::SubpixelOrder order, int dropFrames))                                       \
    X(spaceToDepth, Tensor(const Tensor& x, const Tensor& residual, ops::ltx::Factors f,                         \
                           ops::ltx::SubpixelOrder order, int groupSize))                                        \
    X(resizeLanczos, Tensor(const Tensor& image, int64_t newW, int64_t newH))                                    \
    X(resizeBilinear, Tensor(const Tensor& x, int64_t newH, int64_t newW, ops::TorchBilinearKernel kernel))      \
    /* embeddings (ops/gemma_embedding.h) */                                                                     \
    X(embed, Tensor(const Tensor& table, const Tensor& ids, float scale))                                        \
    /* 8-bit weights (ops/quantize.h): w float → `format` with per-row scales attached; quantized → dtype */ \
    X(quantize, Tensor(const Tensor& w, DType format))                                                           \
    X(dequantize, Tensor(const Tensor& w, DType dtype))                                                          \
    /* random fills (ops/philox_normal.h): torch's CUDA normal kernel, a new contiguous tensor on `device`       \
     */                                                                                                          \
    X(philoxNormal,                                                                                              \
      Tensor(const Shape& shape, DType dtype, Device device, const ops::PhiloxNormalLaunch& launch))

struct Kernels {
#define SV_KERNEL_POINTER(name, type) std::add_pointer_t<type> name = nullptr;
    SV_KERNELS(SV_KERNEL_POINTER)
#undef SV_KERNEL_POINTER
};

/// Declares every kernel entry as a function of the enclosing namespace (a backend's kernels: core/cpu/ops.h,
/// core/cuda/ops.h). A backend defines the ones it has; only those may be registered.
#define SV_DECLARE_KERNEL(name, type) std::type_identity_t<type> name;
#define SV_DECLARE_KERNELS() SV_KERNELS(SV_DECLARE_KERNEL)

/// True when `kernels` has an entry for op.
bool hasKernel(const Kernels& kernels, Op op);

}  // namespace sv
