#include <algorithm>
#include <cmath>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "ops/vae_attention.h"

#ifdef SV_WITH_CUDA
#include "cuda/vae.h"
#endif

namespace sv::ops {

Tensor vaeFrameAttention(const Tensor& qkvIn) {
#ifdef SV_WITH_CUDA
    if (qkvIn.device().isCuda()) return cuda::vaeFrameAttention(qkvIn);
#endif
    SV_ASSERT_MSG(qkvIn.rank() == 5 && qkvIn.dim(1) % 3 == 0, "vaeFrameAttention: qkv ", qkvIn.describe());
    SV_ASSERT_MSG(qkvIn.device().isCpu() && qkvIn.dtype() == DType::F32,
                  "vaeFrameAttention: the CPU backend needs an F32 CPU tensor, got ", qkvIn.describe());
    const Tensor qkv = qkvIn.contiguous();
    const int64_t B = qkv.dim(0), C = qkv.dim(1) / 3, T = qkv.dim(2), S = qkv.dim(3) * qkv.dim(4);
    // SDPA's default scale 1/sqrt(head_dim), as a float.
    const float scale = float(1.0 / std::sqrt(double(C)));
    const int64_t rowTile = std::min<int64_t>(S, std::max<int64_t>(16, (int64_t(1) << 22) / S));
    Tensor out = Tensor::empty({B, C, T, qkv.dim(3), qkv.dim(4)}, DType::F32);
    Tensor qT = Tensor::empty({S, C}, DType::F32), kT = Tensor::empty({S, C}, DType::F32);
    Tensor scores = Tensor::empty({rowTile, S}, DType::F32), o = Tensor::empty({rowTile, C}, DType::F32);
    float *qp = qT.data<float>(), *kp = kT.data<float>(), *sp = scores.data<float>(), *opT = o.data<float>();
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t t = 0; t < T; ++t) {
            // Channel c of part p (0 q, 1 k, 2 v) of frame t: a row of S floats, rows T·S apart.
            const float* base = qkv.data<float>() + (b * 3 * C * T + t) * S;
            auto row = [&](int64_t part, int64_t c) { return base + (part * C + c) * T * S; };
            parallelFor(C, 8, [&](int64_t c0, int64_t c1) {
                for (int64_t c = c0; c < c1; ++c) {
                    const float *q = row(0, c), *k = row(1, c);
                    for (int64_t s = 0; s < S; ++s) qp[s * C + c] = q[s], kp[s * C + c] = k[s];
                }
            });
            float* ob = out.data<float>() + (b * C * T + t) * S;
            for (int64_t r0 = 0; r0 < S; r0 += rowTile) {
                const int64_t rows = std::min(rowTile, S - r0);
                cpu::gemmNT(rows, S, C, qp + r0 * C, C, kp, C, sp, S);
                parallelFor(rows, 4, [&](int64_t i0, int64_t i1) {
                    for (int64_t i = i0; i < i1; ++i) {
                        float* srow = sp + i * S;
                        float mx = -INFINITY;
                        for (int64_t j = 0; j < S; ++j) {
                            srow[j] *= scale;
                            mx = std::max(mx, srow[j]);
                        }
                        double sum = 0.0;
                        for (int64_t j = 0; j < S; ++j) {
                            srow[j] = std::exp(srow[j] - mx);
                            sum += srow[j];
                        }
                        const float inv = float(1.0 / sum);
                        for (int64_t j = 0; j < S; ++j) srow[j] *= inv;
                    }
                });
                // o[i, c] = Σ_j p[i, j] · v[c, j]
                cpu::gemmNT(rows, C, S, sp, S, row(2, 0), T * S, opT, C);
                for (int64_t i = 0; i < rows; ++i)
                    for (int64_t c = 0; c < C; ++c) ob[c * T * S + r0 + i] = opT[i * C + c];
            }
        }
    }
    return out;
}

}  // namespace sv::ops
