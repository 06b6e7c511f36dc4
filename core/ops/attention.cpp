// Entry points of ops/dit_attention.h, ops/dit_causal_attention.h, the attention half of
// ops/gemma_attention.h and ops/vae_attention.h.
#include "backend/registry.h"
#include "cpu/ops.h"
#include "ops/dit_attention.h"
#include "ops/dit_causal_attention.h"
#include "ops/gemma_attention.h"
#include "ops/vae_attention.h"
#include "ops/validate.h"

namespace sv::ops {

namespace dit {

namespace {

// q, k, v [B, N, H·d] on one device and the RoPE tables of N tokens × head dim d (even).
void checkLinearAttention(std::string_view op, const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                          const RopeTables& rope) {
    check::rank(op, q, 3, "q", "[B, N, H·d]");
    SV_ASSERT_MSG(k.defined() && v.defined() && k.shape() == q.shape() && v.shape() == q.shape() &&
                      heads > 0 && q.dim(2) % heads == 0,
                  op, ": q ", q.describe(), ", k ", k.describe(), ", v ", v.describe(), ", heads ", heads);
    const int64_t N = q.dim(1), d = q.dim(2) / heads;
    SV_ASSERT_MSG(rope.cos.defined() && rope.cos.rank() == 2 && rope.cos.dim(0) == N &&
                      rope.cos.dim(1) == d && d % 2 == 0 && rope.sin.defined() &&
                      rope.sin.shape() == rope.cos.shape(),
                  op, ": RoPE tables ", rope.cos.describe(), " for ", N, " tokens of head dim ", d);
    check::sameDevice(op, q, {&k, &v});
}

}  // namespace

Tensor reluLinearAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                           const RopeTables& rope) {
    checkLinearAttention("ops::dit::reluLinearAttention", q, k, v, heads, rope);
    return backend::kernelsFor(Op::ReluLinearAttention, {&q, &k, &v, &rope.cos, &rope.sin})
        .reluLinearAttention(q, k, v, heads, rope, nullptr, nullptr);
}

Tensor reluLinearAttentionCached(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                 const RopeTables& rope, const LinearAttentionState* past,
                                 LinearAttentionState* own) {
    constexpr std::string_view op = "ops::dit::reluLinearAttentionCached";
    checkLinearAttention(op, q, k, v, heads, rope);
    const LinearAttentionState none;
    const LinearAttentionState& p = past != nullptr && past->defined() ? *past : none;
    if (p.defined()) {
        const int64_t B = q.dim(0), d = q.dim(2) / heads;
        SV_ASSERT_MSG(p.vk.shape() == (Shape{B, heads, d, d}) && p.kSum.defined() &&
                          p.kSum.shape() == (Shape{B, heads, d}),
                      op, ": past state vk ", p.vk.describe(), ", kSum ", p.kSum.describe(), " for ", B,
                      " samples of ", heads, " heads × ", d);
    }
    return backend::kernelsFor(Op::ReluLinearAttentionCached,
                               {&q, &k, &v, &rope.cos, &rope.sin, &p.vk, &p.kSum})
        .reluLinearAttention(q, k, v, heads, rope, p.defined() ? &p : nullptr, own);
}

Tensor attentionBiasFromMask(const Tensor& mask) {
    SV_CHECK(mask.rank() == 2, "encoder attention mask must be [batch, tokens], got ", mask.describe());
    // A few hundred values: made on the host, moved to the mask's device.
    return cpu::attentionBias(mask.to(Device::cpu())).to(mask.device());
}

Tensor crossAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads, const Tensor& bias) {
    constexpr std::string_view op = "ops::dit::crossAttention";
    check::rank(op, q, 3, "q", "[B, N, H·d]");
    check::rank(op, k, 3, "k", "[B, L, H·d]");
    SV_ASSERT_MSG(v.defined() && v.shape() == k.shape() && k.dim(0) == q.dim(0) && k.dim(2) == q.dim(2) &&
                      heads > 0 && q.dim(2) % heads == 0,
                  op, ": q ", q.describe(), ", k ", k.describe(), ", v ", v.describe(), ", heads ", heads);
    SV_ASSERT_MSG(!bias.defined() || (bias.rank() == 2 && bias.dim(0) == q.dim(0) && bias.dim(1) == k.dim(1)),
                  op, ": bias ", bias.describe(), " for ", q.dim(0), " samples of ", k.dim(1), " keys");
    check::sameDevice(op, q, {&k, &v});
    return backend::kernelsFor(Op::CrossAttention, {&q, &k, &v, &bias}).crossAttention(q, k, v, heads, bias);
}

}  // namespace dit

Tensor gemmaAttention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keyMask,
                      const GemmaAttentionParams& params) {
    constexpr std::string_view op = "ops::gemmaAttention";
    check::rank(op, q, 4, "q", "[B, L, Hq, D]");
    check::rank(op, k, 4, "k", "[B, L, Hkv, D]");
    const int64_t B = q.dim(0), L = q.dim(1), Hq = q.dim(2), Hkv = k.dim(2);
    SV_ASSERT_MSG(v.defined() && v.shape() == k.shape() && k.dim(0) == B && k.dim(1) == L &&
                      k.dim(3) == q.dim(3) && Hkv > 0 && Hq % Hkv == 0,
                  op, ": q ", q.describe(), " vs k ", k.describe());
    SV_ASSERT_MSG(!keyMask.defined() || (keyMask.dtype() == DType::I64 && keyMask.rank() == 2 &&
                                         keyMask.dim(0) == B && keyMask.dim(1) == L),
                  op, ": keyMask ", keyMask.describe(), " for q ", q.describe());
    SV_ASSERT_MSG(!params.softcap || *params.softcap > 0.0f, op, ": softcap must be positive");
    SV_ASSERT_MSG(params.slidingWindow >= 0, op, ": sliding window ", params.slidingWindow);
    check::sameDevice(op, q, {&k, &v});
    return backend::kernelsFor(Op::CausalAttention, {&q, &k, &v, &keyMask})
        .causalAttention(q, k, v, keyMask, params);
}

Tensor vaeFrameAttention(const Tensor& qkv) {
    constexpr std::string_view op = "ops::vaeFrameAttention";
    check::rank(op, qkv, 5, "qkv", "[B, 3C, T, H, W]");
    SV_ASSERT_MSG(qkv.dim(1) % 3 == 0, op, ": qkv ", qkv.describe());
    return backend::kernelsFor(Op::FrameAttention, {&qkv}).frameAttention(qkv);
}

}  // namespace sv::ops
