#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "ops/gemma_attention.h"

#ifdef SV_WITH_CUDA
#include "cuda/gemma.h"
#endif

namespace sv::ops {

GemmaRotary gemmaRotaryTables(int64_t length, int64_t headDim, double theta) {
    SV_ASSERT_MSG(length >= 0 && headDim > 0 && headDim % 2 == 0, "gemmaRotaryTables: length ", length,
                  ", headDim ", headDim);
    const int64_t half = headDim / 2;
    std::vector<float> invFreq(static_cast<size_t>(half));
    for (int64_t k = 0; k < half; ++k) {
        const float exponent = float(2 * k) / float(headDim);
        invFreq[size_t(k)] = 1.0f / std::pow(float(theta), exponent);
    }
    GemmaRotary t{Tensor::empty({length, headDim}, DType::F32), Tensor::empty({length, headDim}, DType::F32)};
    float* c = t.cos.data<float>();
    float* s = t.sin.data<float>();
    for (int64_t p = 0; p < length; ++p) {
        for (int64_t k = 0; k < half; ++k) {
            const float angle = float(p) * invFreq[size_t(k)];
            const float cv = std::cos(angle), sv = std::sin(angle);
            c[p * headDim + k] = c[p * headDim + half + k] = cv;
            s[p * headDim + k] = s[p * headDim + half + k] = sv;
        }
    }
    return t;
}

Tensor gemmaApplyRotary(const Tensor& x, const GemmaRotary& tables) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::gemmaApplyRotary(x, tables);
#endif
    SV_ASSERT_MSG(x.device().isCpu(), "gemmaApplyRotary: only the CPU backend is implemented");
    SV_ASSERT_MSG(x.dtype() == DType::F32 && x.rank() == 4, "gemmaApplyRotary: x ", x.describe());
    const int64_t B = x.dim(0), L = x.dim(1), heads = x.dim(2), D = x.dim(3), half = D / 2;
    SV_ASSERT_MSG(tables.cos.dtype() == DType::F32 && tables.cos.rank() == 2 && tables.cos.dim(1) == D &&
                      tables.cos.dim(0) >= L && tables.sin.shape() == tables.cos.shape() && D % 2 == 0,
                  "gemmaApplyRotary: x ", x.describe(), " vs tables ", tables.cos.describe());
    Tensor xc = x.contiguous();
    Tensor cc = tables.cos.contiguous(), sc = tables.sin.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* cp = cc.data<float>();
    const float* sp = sc.data<float>();
    float* yp = y.data<float>();
    parallelFor(B * L, 8, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t pos = r % L;
            const float* cr = cp + pos * D;
            const float* sr = sp + pos * D;
            for (int64_t h = 0; h < heads; ++h) {
                const float* xi = xp + (r * heads + h) * D;
                float* yo = yp + (r * heads + h) * D;
                for (int64_t d = 0; d < half; ++d) yo[d] = xi[d] * cr[d] + (-xi[d + half]) * sr[d];
                for (int64_t d = half; d < D; ++d) yo[d] = xi[d] * cr[d] + xi[d - half] * sr[d];
            }
        }
    });
    return y;
}

namespace {

constexpr int64_t kQueryBlock =
    32;  // query rows per task: scratch is kQueryBlock × (visible key span) floats

}  // namespace

Tensor gemmaAttention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keyMask,
                      const GemmaAttentionParams& params) {
#ifdef SV_WITH_CUDA
    if (q.device().isCuda()) return cuda::gemmaAttention(q, k, v, keyMask, params);
#endif
    SV_ASSERT_MSG(q.device().isCpu() && k.device().isCpu() && v.device().isCpu(),
                  "gemmaAttention: only the CPU backend is implemented");
    SV_ASSERT_MSG(q.dtype() == DType::F32 && k.dtype() == DType::F32 && v.dtype() == DType::F32 &&
                      q.rank() == 4 && k.rank() == 4 && v.shape() == k.shape(),
                  "gemmaAttention: q ", q.describe(), ", k ", k.describe(), ", v ", v.describe());
    const int64_t B = q.dim(0), L = q.dim(1), Hq = q.dim(2), D = q.dim(3), Hkv = k.dim(2);
    SV_ASSERT_MSG(k.dim(0) == B && k.dim(1) == L && k.dim(3) == D && Hkv > 0 && Hq % Hkv == 0,
                  "gemmaAttention: q ", q.describe(), " vs k ", k.describe());
    SV_ASSERT_MSG(!params.softcap || *params.softcap > 0.0f, "gemmaAttention: softcap must be positive");
    SV_ASSERT(params.slidingWindow >= 0);
    const int64_t group = Hq / Hkv;
    const int64_t window = params.slidingWindow;

    std::vector<uint8_t> visibleKey(size_t(B * L), 1);
    if (keyMask.defined()) {
        SV_ASSERT_MSG(keyMask.device().isCpu() && keyMask.dtype() == DType::I64 && keyMask.rank() == 2 &&
                          keyMask.dim(0) == B && keyMask.dim(1) == L,
                      "gemmaAttention: keyMask ", keyMask.describe(), " for q ", q.describe());
        Tensor mc = keyMask.contiguous();
        const int64_t* mp = mc.data<int64_t>();
        for (int64_t i = 0; i < B * L; ++i) visibleKey[size_t(i)] = mp[i] != 0;
    }

    Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    const float* qp = qc.data<float>();
    const float* kp = kc.data<float>();
    const float* vp = vc.data<float>();
    Tensor out = Tensor::empty({B, L, Hq * D}, DType::F32);
    float* op = out.data<float>();
    const int64_t qStride = Hq * D, kvStride = Hkv * D;  // floats between consecutive tokens
    const int64_t blocks = (L + kQueryBlock - 1) / kQueryBlock;
    const float scale = params.scale;
    const bool capOn = params.softcap.has_value();
    const float cap = capOn ? *params.softcap : 1.0f;

    parallelFor(B * Hq * blocks, 1, [&](int64_t t0, int64_t t1) {
        std::vector<float> scores;
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t blk = t % blocks, h = (t / blocks) % Hq, b = t / (blocks * Hq);
            const int64_t kvh = h / group;
            const int64_t i0 = blk * kQueryBlock, i1 = std::min(L, i0 + kQueryBlock);
            // Keys any row of the block may see: causal end i1, sliding start i0 − window + 1.
            const int64_t jlo = window > 0 ? std::max<int64_t>(0, i0 - window + 1) : 0, jhi = i1;
            const int64_t span = jhi - jlo, rows = i1 - i0;
            scores.resize(size_t(rows * span));
            const float* qBase = qp + (b * L + i0) * qStride + h * D;
            const float* kBase = kp + (b * L + jlo) * kvStride + kvh * D;
            const float* vHead = vp + b * L * kvStride + kvh * D;
            const uint8_t* keyOk = visibleKey.data() + b * L;
            cpu::gemmNT(rows, span, D, qBase, qStride, kBase, kvStride, scores.data(), span);

            for (int64_t r = 0; r < rows; ++r) {
                const int64_t i = i0 + r;
                float* s = scores.data() + r * span;
                float* o = op + (b * L + i) * qStride + h * D;
                // Visible keys of row i: j in [lo, i] with keyOk[j].
                const int64_t lo = window > 0 ? std::max<int64_t>(0, i - window + 1) : 0;
                float maxScore = -std::numeric_limits<float>::infinity();
                bool any = false;
                for (int64_t j = lo; j <= i; ++j) {
                    if (!keyOk[j]) continue;
                    float x = s[j - jlo] * scale;
                    if (capOn) x = std::tanh(x / cap) * cap;
                    s[j - jlo] = x;
                    maxScore = std::max(maxScore, x);
                    any = true;
                }
                std::fill(o, o + D, 0.0f);
                if (!any) {
                    // Every score at float's minimum in the reference: a uniform average over all L keys.
                    for (int64_t j = 0; j < L; ++j) {
                        const float* vj = vHead + j * kvStride;
                        for (int64_t d = 0; d < D; ++d) o[d] += vj[d];
                    }
                    const float inv = 1.0f / float(L);
                    for (int64_t d = 0; d < D; ++d) o[d] *= inv;
                    continue;
                }
                float sum = 0.0f;
                for (int64_t j = lo; j <= i; ++j) {
                    if (!keyOk[j]) continue;
                    const float e = std::exp(s[j - jlo] - maxScore);
                    s[j - jlo] = e;
                    sum += e;
                }
                const float inv = 1.0f / sum;
                for (int64_t j = lo; j <= i; ++j) {
                    if (!keyOk[j]) continue;
                    const float p = s[j - jlo] * inv;
                    const float* vj = vHead + j * kvStride;
                    for (int64_t d = 0; d < D; ++d) o[d] += p * vj[d];
                }
            }
        }
    });
    return out;
}

}  // namespace sv::ops
