// CPU implementation of core/ops/dit_attention.h: one task per (sample, head), float32 GEMMs inside.
#include "ops/dit_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "base/parallel.h"
#include "cpu/gemm.h"

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
    requireCpuF32(q, "reluLinearAttention", "q");
    requireCpuF32(k, "reluLinearAttention", "k");
    requireCpuF32(v, "reluLinearAttention", "v");
    SV_ASSERT_MSG(q.rank() == 3 && k.shape() == q.shape() && v.shape() == q.shape() && heads > 0 &&
                      q.dim(2) % heads == 0,
                  "reluLinearAttention: q ", q.describe(), ", k ", k.describe(), ", v ", v.describe(),
                  ", heads ", heads);
    const int64_t B = q.dim(0), N = q.dim(1), C = q.dim(2), d = C / heads;
    SV_ASSERT_MSG(rope.cos.rank() == 2 && rope.cos.dim(0) == N && rope.cos.dim(1) == d,
                  "reluLinearAttention: RoPE tables ", rope.cos.describe(), " for ", N,
                  " tokens of head dim ", d);
    Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    Tensor out = Tensor::empty(q.shape(), DType::F32);
    const float* qbase = qc.data<float>();
    const float* kbase = kc.data<float>();
    const float* vbase = vc.data<float>();
    Tensor ct = rope.cos.contiguous(), st = rope.sin.contiguous();
    const float* cosp = ct.data<float>();
    const float* sinp = st.data<float>();
    float* obase = out.data<float>();
    parallelFor(B * heads, 1, [&](int64_t t0, int64_t t1) {
        std::vector<float> vt(static_cast<size_t>(d * N)), krt(size_t(d * N)), qr(size_t(N * d)),
            S(size_t(d * d));
        std::vector<float> u(static_cast<size_t>(d));
        for (int64_t task = t0; task < t1; ++task) {
            const int64_t b = task / heads, h = task % heads;
            const int64_t off = b * N * C + h * d;
            // relu; rotated copies for the numerator (q̃ row-major, k̃ and v transposed for the GEMMs); u = Σ
            // k⁺.
            std::vector<double> usum(size_t(d), 0.0);
            for (int64_t n = 0; n < N; ++n) {
                const float* qn = qbase + off + n * C;
                const float* kn = kbase + off + n * C;
                const float* vn = vbase + off + n * C;
                const float* cr = cosp + n * d;
                const float* sr = sinp + n * d;
                for (int64_t j = 0; j < d; j += 2) {
                    const float q1 = std::max(qn[j], 0.0f), q2 = std::max(qn[j + 1], 0.0f);
                    const float k1 = std::max(kn[j], 0.0f), k2 = std::max(kn[j + 1], 0.0f);
                    const float c = cr[j], s = sr[j + 1];
                    qr[size_t(n * d + j)] = q1 * c - q2 * s;
                    qr[size_t(n * d + j + 1)] = q1 * s + q2 * c;
                    krt[size_t(j * N + n)] = k1 * c - k2 * s;
                    krt[size_t((j + 1) * N + n)] = k1 * s + k2 * c;
                    usum[size_t(j)] += k1;
                    usum[size_t(j + 1)] += k2;
                }
                for (int64_t i = 0; i < d; ++i) vt[size_t(i * N + n)] = vn[i];
            }
            for (int64_t i = 0; i < d; ++i) u[size_t(i)] = float(usum[size_t(i)]);
            // S[i, j] = Σ_n v[n, i] · k̃[n, j]
            cpu::gemmNT(d, d, N, vt.data(), N, krt.data(), N, S.data(), d);
            // out[n, i] = Σ_j q̃[n, j] · S[i, j], then · z_n
            float* o = obase + off;
            cpu::gemmNT(N, d, d, qr.data(), d, S.data(), d, o, C);
            for (int64_t n = 0; n < N; ++n) {
                const float* qn = qbase + off + n * C;
                double den = 0;
                for (int64_t j = 0; j < d; ++j) den += double(u[size_t(j)]) * double(std::max(qn[j], 0.0f));
                const float z = 1.0f / (float(den) + 1e-15f);
                float* on = o + n * C;
                for (int64_t i = 0; i < d; ++i) on[i] *= z;
            }
        }
    });
    return out;
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
