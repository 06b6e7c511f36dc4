// CPU normalisations and modulation: the DiT's RMSNorm, LayerNorm + AdaLN modulation and gated residual,
// Gemma's offset RMSNorm (with the fused residual add), the Wan VAE's channel L2 norm. F32; statistics in
// double, the rest in float in the reference's order of operations.
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

Tensor channelRmsNorm(const Tensor& xIn, const Tensor& gammaIn, bool silu) {
    const Tensor x = xIn.contiguous();
    const Tensor gamma = gammaIn.to(DType::F32).contiguous();
    const int64_t B = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(1, B * C);
    // diffusers multiplies by the Python float dim**0.5, which PyTorch applies to an F32 tensor in float.
    const float scale = float(std::sqrt(double(C)));
    const float* g = gamma.data<float>();
    Tensor out = Tensor::empty(x.shape(), DType::F32);
    constexpr int64_t kBlock = 256;  // locations per task: channels are strided by S, so walk blocks of them
    const int64_t blocks = (S + kBlock - 1) / kBlock;
    parallelFor(B * blocks, 1, [&](int64_t begin, int64_t end) {
        std::vector<double> ss(kBlock);
        std::vector<float> norm(kBlock);
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / blocks, s0 = (task % blocks) * kBlock, n = std::min(kBlock, S - s0);
            const float* xb = x.data<float>() + b * C * S + s0;
            float* ob = out.data<float>() + b * C * S + s0;
            std::fill(ss.begin(), ss.begin() + n, 0.0);
            for (int64_t c = 0; c < C; ++c) {
                const float* row = xb + c * S;
                for (int64_t i = 0; i < n; ++i) ss[size_t(i)] += double(row[i]) * double(row[i]);
            }
            // F.normalize: x / max(‖x‖, eps) with the norm rounded to float.
            for (int64_t i = 0; i < n; ++i)
                norm[size_t(i)] = std::max(float(std::sqrt(ss[size_t(i)])), 1e-12f);
            for (int64_t c = 0; c < C; ++c) {
                const float* row = xb + c * S;
                float* orow = ob + c * S;
                const float gc = g[c];
                for (int64_t i = 0; i < n; ++i) {
                    const float y = row[i] / norm[size_t(i)] * scale * gc;
                    orow[i] = silu ? cpu::silu(y) : y;
                }
            }
        }
    });
    return out;
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
