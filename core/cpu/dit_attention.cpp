// CPU implementation of core/ops/dit_attention.h: one task per (sample, head), float32 GEMMs inside (the
// linear attention is the stateless case of cpu/dit_causal_attention.cpp).
#include "ops/dit_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "ops/dit_causal_attention.h"

#ifdef SV_WITH_CUDA
#include "cuda/dit.h"
#endif

namespace sv::ops::dit {

namespace {

void requireCpuF32(const Tensor& t, const char* op, const char* what) {
    SV_ASSERT_MSG(t.defined(), op, ": ", what, " is undefined");
    SV_ASSERT_MSG(t.device().isCpu() && t.dtype() == DType::F32, op, ": ", what,
                  " must be a CPU F32 tensor, got ", t.describe());
}

}  // namespace

Tensor reluLinearAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                           const RopeTables& rope) {
#ifdef SV_WITH_CUDA
    if (q.device().isCuda()) return cuda::ditReluLinearAttention(q, k, v, heads, rope);
#endif
    // The causal op without states is this op (one CPU implementation, cpu/dit_causal_attention.cpp).
    return reluLinearAttentionCached(q, k, v, heads, rope, nullptr, nullptr);
}

Tensor attentionBiasFromMask(const Tensor& mask) {
    SV_CHECK(mask.rank() == 2, "encoder attention mask must be [batch, tokens], got ", mask.describe());
    Tensor m = mask.to(Device::cpu()).to(DType::F32).contiguous();
    Tensor bias = Tensor::empty(mask.shape(), DType::F32);
    const float* mp = m.data<float>();
    float* bp = bias.data<float>();
    for (int64_t i = 0; i < m.numel(); ++i) {
        SV_CHECK(mp[i] == 0.0f || mp[i] == 1.0f, "encoder attention mask must hold only 0 and 1; found ",
                 mp[i], " at flat index ", i);
        bp[i] = (1.0f - mp[i]) * -10000.0f;
    }
    return bias.to(mask.device());
}

Tensor crossAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads, const Tensor& bias) {
#ifdef SV_WITH_CUDA
    if (q.device().isCuda()) return cuda::ditCrossAttention(q, k, v, heads, bias);
#endif
    requireCpuF32(q, "crossAttention", "q");
    requireCpuF32(k, "crossAttention", "k");
    requireCpuF32(v, "crossAttention", "v");
    SV_ASSERT_MSG(q.rank() == 3 && k.rank() == 3 && v.shape() == k.shape() && k.dim(0) == q.dim(0) &&
                      k.dim(2) == q.dim(2) && heads > 0 && q.dim(2) % heads == 0,
                  "crossAttention: q ", q.describe(), ", k ", k.describe(), ", v ", v.describe(), ", heads ",
                  heads);
    const int64_t B = q.dim(0), N = q.dim(1), L = k.dim(1), C = q.dim(2), d = C / heads;
    Tensor bc;
    if (bias.defined()) {
        requireCpuF32(bias, "crossAttention", "bias");
        SV_ASSERT_MSG(bias.rank() == 2 && bias.dim(0) == B && bias.dim(1) == L, "crossAttention: bias ",
                      bias.describe(), " for ", B, " samples of ", L, " keys");
        bc = bias.contiguous();
    }
    Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    Tensor out = Tensor::empty(q.shape(), DType::F32);
    const float scale = float(1.0 / std::sqrt(double(d)));
    parallelFor(B * heads, 1, [&](int64_t t0, int64_t t1) {
        std::vector<float> scores(static_cast<size_t>(N * L)), vt(size_t(d * L));
        for (int64_t task = t0; task < t1; ++task) {
            const int64_t b = task / heads, h = task % heads;
            const float* qh = qc.data<float>() + b * N * C + h * d;
            const float* kh = kc.data<float>() + b * L * C + h * d;
            const float* vh = vc.data<float>() + b * L * C + h * d;
            const float* bb = bc.defined() ? bc.data<float>() + b * L : nullptr;
            cpu::gemmNT(N, L, d, qh, C, kh, C, scores.data(), L);
            for (int64_t n = 0; n < N; ++n) {
                float* s = scores.data() + n * L;
                float mx = -std::numeric_limits<float>::infinity();
                for (int64_t l = 0; l < L; ++l) {
                    s[l] = s[l] * scale + (bb ? bb[l] : 0.0f);
                    mx = std::max(mx, s[l]);
                }
                double sum = 0;
                for (int64_t l = 0; l < L; ++l) {
                    s[l] = std::exp(s[l] - mx);
                    sum += s[l];
                }
                const float inv = float(1.0 / sum);
                for (int64_t l = 0; l < L; ++l) s[l] *= inv;
            }
            for (int64_t l = 0; l < L; ++l)
                for (int64_t i = 0; i < d; ++i) vt[size_t(i * L + l)] = vh[l * C + i];
            cpu::gemmNT(N, d, L, scores.data(), L, vt.data(), L, out.data<float>() + b * N * C + h * d, C);
        }
    });
    return out;
}

}  // namespace sv::ops::dit
