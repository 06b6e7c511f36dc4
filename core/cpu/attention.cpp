// CPU softmax attention: the DiT's cross-attention (diffusers SanaAttnProcessor2_0: SDPA with the mask bias),
// Gemma-2's causal grouped-query attention (transformers eager_attention_forward with soft-capping and the
// sliding window) and the Wan VAE's per-frame single-head attention (diffusers WanAttentionBlock). Float32
// scores through the fp32 GEMM, softmax sums in double (float for Gemma, as eager transformers computes).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "base/parallel.h"
#include "cpu/gemm.h"
#include "cpu/ops.h"

namespace sv::cpu {

namespace {

// s[0..n) ← softmax(s·scale + bias): max-subtracted exponentials, summed in double, scaled by the float
// reciprocal of the sum. bias may be null.
void softmaxRow(float* s, int64_t n, float scale, const float* bias) {
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t l = 0; l < n; ++l) {
        s[l] = bias ? s[l] * scale + bias[l] : s[l] * scale;
        mx = std::max(mx, s[l]);
    }
    double sum = 0;
    for (int64_t l = 0; l < n; ++l) {
        s[l] = std::exp(s[l] - mx);
        sum += s[l];
    }
    const float inv = float(1.0 / sum);
    for (int64_t l = 0; l < n; ++l) s[l] *= inv;
}

constexpr int64_t kQueryBlock =
    32;  // Gemma: query rows per task; scratch is kQueryBlock × (visible key span)

struct CausalRows {
    const float* kv;  // v of the head: row j at vHead + j·kvStride
    int64_t kvStride, L, D;
    const uint8_t* keyOk;  // 1 = a token, 0 = padding
    int64_t window;        // > 0: sliding window
    float scale, cap;
    bool capOn;
};

// One query row i of Gemma attention: scores s[j − jlo] for the visible keys, written into o [D].
void causalRow(const CausalRows& c, int64_t i, int64_t jlo, float* s, float* o) {
    // Visible keys of row i: j in [lo, i] with keyOk[j].
    const int64_t lo = c.window > 0 ? std::max<int64_t>(0, i - c.window + 1) : 0;
    float maxScore = -std::numeric_limits<float>::infinity();
    bool any = false;
    for (int64_t j = lo; j <= i; ++j) {
        if (!c.keyOk[j]) continue;
        float x = s[j - jlo] * c.scale;
        if (c.capOn) x = std::tanh(x / c.cap) * c.cap;
        s[j - jlo] = x;
        maxScore = std::max(maxScore, x);
        any = true;
    }
    std::fill(o, o + c.D, 0.0f);
    if (!any) {
        // Every score at float's minimum in the reference: a uniform average over all L keys.
        for (int64_t j = 0; j < c.L; ++j) {
            const float* vj = c.kv + j * c.kvStride;
            for (int64_t d = 0; d < c.D; ++d) o[d] += vj[d];
        }
        const float inv = 1.0f / float(c.L);
        for (int64_t d = 0; d < c.D; ++d) o[d] *= inv;
        return;
    }
    float sum = 0.0f;
    for (int64_t j = lo; j <= i; ++j) {
        if (!c.keyOk[j]) continue;
        const float e = std::exp(s[j - jlo] - maxScore);
        s[j - jlo] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;
    for (int64_t j = lo; j <= i; ++j) {
        if (!c.keyOk[j]) continue;
        const float p = s[j - jlo] * inv;
        const float* vj = c.kv + j * c.kvStride;
        for (int64_t d = 0; d < c.D; ++d) o[d] += p * vj[d];
    }
}

}  // namespace

Tensor attentionBias(const Tensor& mask) {
    const Tensor m = mask.to(DType::F32).contiguous();
    Tensor bias = Tensor::empty(mask.shape(), DType::F32);
    const float* mp = m.data<float>();
    float* bp = bias.data<float>();
    for (int64_t i = 0; i < m.numel(); ++i) {
        SV_CHECK(mp[i] == 0.0f || mp[i] == 1.0f, "encoder attention mask must hold only 0 and 1; found ",
                 mp[i], " at flat index ", i);
        bp[i] = (1.0f - mp[i]) * -10000.0f;
    }
    return bias;
}

Tensor crossAttention(const Tensor& q, const Tensor& k, const Tensor& v, int heads, const Tensor& bias) {
    const int64_t B = q.dim(0), N = q.dim(1), L = k.dim(1), C = q.dim(2), d = C / heads;
    const Tensor bc = bias.defined() ? bias.contiguous() : Tensor();
    const Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
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
            gemmNT(N, L, d, qh, C, kh, C, scores.data(), L);
            for (int64_t n = 0; n < N; ++n) softmaxRow(scores.data() + n * L, L, scale, bb);
            for (int64_t l = 0; l < L; ++l)
                for (int64_t i = 0; i < d; ++i) vt[size_t(i * L + l)] = vh[l * C + i];
            gemmNT(N, d, L, scores.data(), L, vt.data(), L, out.data<float>() + b * N * C + h * d, C);
        }
    });
    return out;
}

Tensor causalAttention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& keyMask,
                       const ops::GemmaAttentionParams& params) {
    const int64_t B = q.dim(0), L = q.dim(1), Hq = q.dim(2), D = q.dim(3), Hkv = k.dim(2);
    const int64_t group = Hq / Hkv, window = params.slidingWindow;
    std::vector<uint8_t> visibleKey(size_t(B * L), 1);
    if (keyMask.defined()) {
        const Tensor mc = keyMask.contiguous();
        const int64_t* mp = mc.data<int64_t>();
        for (int64_t i = 0; i < B * L; ++i) visibleKey[size_t(i)] = mp[i] != 0;
    }
    const Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    const float* qp = qc.data<float>();
    const float* kp = kc.data<float>();
    const float* vp = vc.data<float>();
    Tensor out = Tensor::empty({B, L, Hq * D}, DType::F32);
    float* op = out.data<float>();
    const int64_t qStride = Hq * D, kvStride = Hkv * D;  // floats between consecutive tokens
    const int64_t blocks = (L + kQueryBlock - 1) / kQueryBlock;
    parallelFor(B * Hq * blocks, 1, [&](int64_t t0, int64_t t1) {
        std::vector<float> scores;
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t blk = t % blocks, h = (t / blocks) % Hq, b = t / (blocks * Hq);
            const int64_t i0 = blk * kQueryBlock, i1 = std::min(L, i0 + kQueryBlock);
            // Keys any row of the block may see: causal end i1, sliding start i0 − window + 1.
            const int64_t jlo = window > 0 ? std::max<int64_t>(0, i0 - window + 1) : 0;
            const int64_t span = i1 - jlo, rows = i1 - i0;
            scores.resize(size_t(rows * span));
            const int64_t kvh = h / group;
            gemmNT(rows, span, D, qp + (b * L + i0) * qStride + h * D, qStride,
                   kp + (b * L + jlo) * kvStride + kvh * D, kvStride, scores.data(), span);
            const CausalRows c{vp + b * L * kvStride + kvh * D,
                               kvStride,
                               L,
                               D,
                               visibleKey.data() + b * L,
                               window,
                               params.scale,
                               params.softcap.value_or(1.0f),
                               params.softcap.has_value()};
            for (int64_t r = 0; r < rows; ++r)
                causalRow(c, i0 + r, jlo, scores.data() + r * span, op + (b * L + i0 + r) * qStride + h * D);
        }
    });
    return out;
}

Tensor frameAttention(const Tensor& qkvIn) {
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
                gemmNT(rows, S, C, qp + r0 * C, C, kp, C, sp, S);
                parallelFor(rows, 4, [&](int64_t i0, int64_t i1) {
                    for (int64_t i = i0; i < i1; ++i) softmaxRow(sp + i * S, S, scale, nullptr);
                });
                // o[i, c] = Σ_j p[i, j] · v[c, j]
                gemmNT(rows, C, S, sp, S, row(2, 0), T * S, opT, C);
                for (int64_t i = 0; i < rows; ++i)
                    for (int64_t c = 0; c < C; ++c) ob[c * T * S + r0 + i] = opT[i * C + c];
            }
        }
    }
    return out;
}

}  // namespace sv::cpu
