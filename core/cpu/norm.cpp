// CPU normalisations and modulation: the DiT's RMSNorm, LayerNorm + AdaLN modulation and gated residual,
// Gemma's offset RMSNorm (with the fused residual add), the VAEs' norms over the channel axis (Wan's L2 norm,
// LTX-2's RMS and LayerNorm). F32; statistics in double, the rest in float in the reference's order of
// operations.
#include <algorithm>
#include <cmath>
#include <vector>

#include "base/parallel.h"
#include "cpu/activation.h"
#include "cpu/ops.h"

namespace sv::cpu {

namespace {

// A [R, D] table of modulation rows with an arbitrary row stride (unit stride inside a row).
struct Rows {
    const float* base = nullptr;
    int64_t stride = 0;
    const float* row(int64_t r) const { return base + r * stride; }
};

Rows rowsOf(const Tensor& t) {
    return {t.data<float>(), t.strides()[0]};
}

// Which modulation row token (b, n) uses (ops/dit_norm.h: none → row b; B entries → index[b]; B·N entries
// → index[b·N + n]). The entry point has checked the index size and values.
struct RowMap {
    const int32_t* index = nullptr;
    int64_t size = 0, batch = 0, tokens = 0;
    int64_t row(int64_t b, int64_t n) const {
        if (!index) return b;
        return size == batch ? index[b] : index[b * tokens + n];
    }
};

RowMap rowMapOf(const Tensor& index, int64_t B, int64_t N) {
    if (!index.defined()) return {nullptr, 0, B, N};
    return {index.data<int32_t>(), index.numel(), B, N};
}

// Rows of x [rows, D] in parallel, a grain of about `work` elements per task.
template <class F>
void forRows(int64_t rows, int64_t D, int64_t work, F&& f) {
    parallelFor(rows, std::max<int64_t>(1, work / std::max<int64_t>(1, D)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) f(r);
    });
}

// 1 / sqrt(float(Σx² / D) + eps), the sum of squares in double (diffusers' RMSNorm and Gemma2RMSNorm on
// float32 input: the mean is rounded to float before eps is added).
float inverseRms(const float* x, int64_t D, float eps) {
    double ss = 0;
    for (int64_t i = 0; i < D; ++i) ss += double(x[i]) * double(x[i]);
    const float meanSquare = float(ss / double(D));
    return 1.0f / std::sqrt(meanSquare + eps);
}

// A norm over channel axis 1 of x [B, C, S…] at every location (the VAEs' norms), F32 out. Channels are
// strided by S, so each task walks a block of kBlock locations: Norm::add(i, v) for every channel value
// (channel-major), finish(i, C) per location, then out = apply(c, i, v) per channel. Each task works on its
// own copy of `proto` (its per-location statistics).
template <class Norm>
Tensor normOverChannels(const Tensor& xIn, const Norm& proto) {
    const Tensor x = xIn.contiguous();
    const int64_t B = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(1, B * C);
    Tensor out = Tensor::empty(x.shape(), DType::F32);
    constexpr int64_t kBlock = Norm::kBlock;
    const int64_t blocks = (S + kBlock - 1) / kBlock;
    parallelFor(B * blocks, 1, [&](int64_t begin, int64_t end) {
        Norm norm = proto;
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / blocks, s0 = (task % blocks) * kBlock, n = std::min(kBlock, S - s0);
            const float* xb = x.data<float>() + b * C * S + s0;
            float* ob = out.data<float>() + b * C * S + s0;
            norm.reset();
            for (int64_t c = 0; c < C; ++c)
                for (int64_t i = 0; i < n; ++i) norm.add(i, xb[c * S + i]);
            for (int64_t i = 0; i < n; ++i) norm.finish(i, C);
            for (int64_t c = 0; c < C; ++c)
                for (int64_t i = 0; i < n; ++i) ob[c * S + i] = norm.apply(c, i, xb[c * S + i]);
        }
    });
    return out;
}

// WanRMS_norm: F.normalize over the channels (x / max(‖x‖, eps), the norm rounded to float) · √C · γ.
struct WanChannelNorm {
    static constexpr int64_t kBlock = 256;
    const float* gamma = nullptr;
    float scale = 1.0f;
    bool silu = false;
    std::vector<double> ss = std::vector<double>(kBlock);
    std::vector<float> norm = std::vector<float>(kBlock);

    void reset() { std::fill(ss.begin(), ss.end(), 0.0); }
    void add(int64_t i, float v) { ss[size_t(i)] += double(v) * double(v); }
    void finish(int64_t i, int64_t) { norm[size_t(i)] = std::max(float(std::sqrt(ss[size_t(i)])), 1e-12f); }
    float apply(int64_t c, int64_t i, float v) const {
        const float y = v / norm[size_t(i)] * scale * gamma[c];
        return silu ? cpu::silu(y) : y;
    }
};

// LTX-2's PerChannelRMSNorm (x / sqrt(mean(x²) + eps), torch's float steps) and nn.LayerNorm over the
// channels ((x − μ) / sqrt(var + eps) · w + b, statistics in double).
struct LtxChannelNorm {
    static constexpr int64_t kBlock = 256;
    const float* weight = nullptr;
    const float* bias = nullptr;
    bool layer = false, silu = false;
    float eps = 0.0f;
    std::vector<double> sum = std::vector<double>(kBlock), sq = std::vector<double>(kBlock);
    std::vector<float> mean = std::vector<float>(kBlock), scale = std::vector<float>(kBlock);

    void reset() {
        std::fill(sum.begin(), sum.end(), 0.0);
        std::fill(sq.begin(), sq.end(), 0.0);
    }
    void add(int64_t i, float x) {
        const double v = x;
        sum[size_t(i)] += v;
        sq[size_t(i)] += v * v;
    }
    void finish(int64_t i, int64_t C) {
        const size_t k = size_t(i);
        if (!layer) {
            mean[k] = 0.0f;
            scale[k] = std::sqrt(float(sq[k] / double(C)) + eps);
        } else {
            const double mu = sum[k] / double(C);
            const double var = std::max(0.0, sq[k] / double(C) - mu * mu);
            mean[k] = float(mu);
            scale[k] = float(std::sqrt(var + double(eps)));
        }
    }
    float apply(int64_t c, int64_t i, float v) const {
        float y = (v - mean[size_t(i)]) / scale[size_t(i)];
        if (layer) y = y * (weight ? weight[c] : 1.0f) + (bias ? bias[c] : 0.0f);
        return silu ? cpu::silu(y) : y;
    }
};

}  // namespace

Tensor rmsNorm(const Tensor& x, const Tensor& weight, float eps) {
    const int64_t D = x.dim(-1);
    const Tensor xc = x.contiguous(), wc = weight.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* wp = wc.data<float>();
    float* yp = y.data<float>();
    forRows(D > 0 ? x.numel() / D : 0, D, 4096, [&](int64_t r) {
        const float* xr = xp + r * D;
        float* yr = yp + r * D;
        const float inv = inverseRms(xr, D, eps);
        for (int64_t i = 0; i < D; ++i) yr[i] = (xr[i] * inv) * wp[i];
    });
    return y;
}

Tensor offsetRmsNorm(const Tensor& x, const Tensor& w, double eps, const Tensor& residual) {
    const int64_t H = x.dim(-1);
    const Tensor xc = x.contiguous(), wc = w.contiguous();
    const Tensor rc = residual.defined() ? residual.contiguous() : Tensor();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* wp = wc.data<float>();
    const float* rp = rc.defined() ? rc.data<float>() : nullptr;
    float* yp = y.data<float>();
    const float epsF = float(eps);
    forRows(H > 0 ? x.numel() / H : 0, H, 4096, [&](int64_t r) {
        const float* xr = xp + r * H;
        const float inv = inverseRms(xr, H, epsF);
        float* yr = yp + r * H;
        if (rp) {
            // The reference adds the norm's float32 output to the residual stream.
            const float* res = rp + r * H;
            for (int64_t h = 0; h < H; ++h) yr[h] = res[h] + (xr[h] * inv) * (1.0f + wp[h]);
        } else {
            for (int64_t h = 0; h < H; ++h) yr[h] = (xr[h] * inv) * (1.0f + wp[h]);
        }
    });
    return y;
}

Tensor channelRmsNorm(const Tensor& x, const Tensor& gammaIn, bool silu) {
    const Tensor gamma = gammaIn.to(DType::F32).contiguous();
    WanChannelNorm norm;
    norm.gamma = gamma.data<float>();
    // diffusers multiplies by the Python float dim**0.5, which PyTorch applies to an F32 tensor in float.
    norm.scale = float(std::sqrt(double(x.dim(1))));
    norm.silu = silu;
    return normOverChannels(x, norm);
}

Tensor ltxChannelNorm(const Tensor& x, const Tensor& weightIn, const Tensor& biasIn,
                      ops::ltx::ChannelNorm kind, float eps, bool silu) {
    const Tensor weight = weightIn.defined() ? weightIn.to(DType::F32).contiguous() : Tensor();
    const Tensor bias = biasIn.defined() ? biasIn.to(DType::F32).contiguous() : Tensor();
    LtxChannelNorm norm;
    norm.weight = weight.defined() ? weight.data<float>() : nullptr;
    norm.bias = bias.defined() ? bias.data<float>() : nullptr;
    norm.layer = kind == ops::ltx::ChannelNorm::Layer;
    norm.silu = silu;
    norm.eps = eps;
    return normOverChannels(x, norm);
}

Tensor layerNormModulate(const Tensor& x, const Tensor& shift, const Tensor& scale, const Tensor& index,
                         float eps) {
    const int64_t B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Rows sh = rowsOf(shift), sc = rowsOf(scale);
    const RowMap map = rowMapOf(index, B, N);
    const Tensor xc = x.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    float* yp = y.data<float>();
    forRows(B * N, D, 4096, [&](int64_t t) {
        const int64_t r = map.row(t / N, t % N);
        const float* xr = xp + t * D;
        const float* shr = sh.row(r);
        const float* scr = sc.row(r);
        float* yr = yp + t * D;
        double sum = 0;
        for (int64_t i = 0; i < D; ++i) sum += xr[i];
        const double mean = sum / double(D);
        double var = 0;
        for (int64_t i = 0; i < D; ++i) var += (xr[i] - mean) * (xr[i] - mean);
        var /= double(D);
        const float rstd = float(1.0 / std::sqrt(var + double(eps)));
        const float m = float(mean);
        for (int64_t i = 0; i < D; ++i) {
            const float normed = (xr[i] - m) * rstd;
            yr[i] = normed * (1.0f + scr[i]) + shr[i];
        }
    });
    return y;
}

Tensor gatedResidual(const Tensor& x, const Tensor& branch, const Tensor& gate, const Tensor& index) {
    const int64_t B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Rows g = rowsOf(gate);
    const RowMap map = rowMapOf(index, B, N);
    const Tensor xc = x.contiguous(), bc = branch.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* bp = bc.data<float>();
    float* yp = y.data<float>();
    forRows(B * N, D, 8192, [&](int64_t t) {
        const float* gr = g.row(map.row(t / N, t % N));
        for (int64_t i = 0; i < D; ++i) yp[t * D + i] = xp[t * D + i] + gr[i] * bp[t * D + i];
    });
    return y;
}

Tensor gatherRows(const Tensor& table, const Tensor& index) {
    const Tensor tc = table.contiguous(), ic = index.contiguous();
    const int64_t D = table.dim(1), M = index.numel();
    Tensor y = Tensor::empty({M, D}, DType::F32);
    const int32_t* ip = ic.data<int32_t>();
    for (int64_t m = 0; m < M; ++m)
        std::copy_n(tc.data<float>() + int64_t(ip[m]) * D, D, y.data<float>() + m * D);
    return y;
}

}  // namespace sv::cpu
