// CPU ReLU linear attention of the SANA-Video transformer (diffusers SanaLinearAttnProcessor3_0) and its
// LongSANA form with a carried state (diffusers PR #12723 SanaCausalLinearAttnProcessor1_0, NVlabs/Sana
// CachedCausalAttention: the chunk's own state saved, the past added in float32): one task per (sample,
// head), float32 GEMMs for the d×d state and its application.
#include <algorithm>
#include <vector>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "cpu/ops.h"

namespace sv::cpu {

Tensor reluLinearAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                           const ops::dit::RopeTables& rope, const ops::dit::LinearAttentionState* past,
                           ops::dit::LinearAttentionState* own) {
    const int64_t B = q.dim(0), N = q.dim(1), C = q.dim(2), d = C / heads;
    const bool hasPast = past != nullptr && past->defined();
    const Tensor pastVk = hasPast ? past->vk.contiguous() : Tensor();
    const Tensor pastKSum = hasPast ? past->kSum.contiguous() : Tensor();
    if (own != nullptr) {
        own->vk = Tensor::empty({B, heads, d, d}, DType::F32);
        own->kSum = Tensor::empty({B, heads, d}, DType::F32);
    }
    const Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    Tensor out = Tensor::empty(q.shape(), DType::F32);
    const float* qbase = qc.data<float>();
    const float* kbase = kc.data<float>();
    const float* vbase = vc.data<float>();
    const Tensor ct = rope.cos.contiguous(), st = rope.sin.contiguous();
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
            // relu; rotated copies for the numerator (q̃ row-major, k̃ and v transposed for the GEMMs);
            // u = Σ k⁺ (unrotated).
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
            gemmNT(d, d, N, vt.data(), N, krt.data(), N, S.data(), d);
            const int64_t stateOff = (b * heads + h) * d;
            if (own != nullptr) {  // the call's own contribution, before the past is added (as the reference)
                std::copy(S.begin(), S.end(), own->vk.data<float>() + stateOff * d);
                std::copy(u.begin(), u.end(), own->kSum.data<float>() + stateOff);
            }
            if (hasPast) {  // scores + cached_vk, k_sum + cached_k_sum, in float32
                const float* pv = pastVk.data<float>() + stateOff * d;
                const float* pu = pastKSum.data<float>() + stateOff;
                for (int64_t i = 0; i < d * d; ++i) S[size_t(i)] += pv[i];
                for (int64_t i = 0; i < d; ++i) u[size_t(i)] += pu[i];
            }
            // out[n, i] = Σ_j q̃[n, j] · S[i, j], then · z_n with the UNROTATED query in the denominator
            float* o = obase + off;
            gemmNT(N, d, d, qr.data(), d, S.data(), d, o, C);
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

}  // namespace sv::cpu
