// CPU rotary position embeddings: the DiT's 3D tables (diffusers WanRotaryPosEmbed: per-axis tables in
// double, stored as float, interleaved pairs) and Gemma's half-split rotary (transformers
// Gemma2RotaryEmbedding, apply_rotary_pos_emb), tables and application. The tables are built here for every
// backend.
#include <cmath>

#include "base/parallel.h"
#include "cpu/ops.h"

namespace sv::cpu {

namespace {

// The operands of a rotation as contiguous F32 (x and its cos/sin tables) and its output, shaped like x.
struct Rotation {
    Tensor x, cos, sin, y;
    Rotation(const Tensor& xIn, const Tensor& c, const Tensor& s)
        : x(xIn.contiguous()),
          cos(c.contiguous()),
          sin(s.contiguous()),
          y(Tensor::empty(xIn.shape(), DType::F32)) {}
};

}  // namespace

RopeAxisTables ropeAxisTables(std::array<int, 3> split, double theta, std::array<int64_t, 3> grid,
                              int64_t frameOffset) {
    RopeAxisTables t;
    const int64_t start[3] = {frameOffset, 0, 0};
    for (int a = 0; a < 3; ++a) {
        const int dim = split[size_t(a)];
        const int64_t P = grid[size_t(a)];
        const size_t base = t.cos.size();
        t.cos.resize(base + size_t(P * dim));
        t.sin.resize(base + size_t(P * dim));
        for (int k = 0; k < dim / 2; ++k) {
            const double omega = 1.0 / std::pow(theta, double(2 * k) / double(dim));
            for (int64_t p = 0; p < P; ++p) {
                const double angle = double(p + start[a]) * omega;
                const float c = float(std::cos(angle)), s = float(std::sin(angle));
                for (int r = 0; r < 2; ++r) {
                    t.cos[base + size_t(p * dim + 2 * k + r)] = c;
                    t.sin[base + size_t(p * dim + 2 * k + r)] = s;
                }
            }
        }
    }
    return t;
}

ops::dit::RopeTables expandRope(std::span<const float> axisCos, std::span<const float> axisSin,
                                std::array<int, 3> split, std::array<int64_t, 3> grid, Device) {
    const int64_t headDim = split[0] + split[1] + split[2];
    const int64_t N = grid[0] * grid[1] * grid[2];
    Tensor cosT = Tensor::empty({N, headDim}, DType::F32);
    Tensor sinT = Tensor::empty({N, headDim}, DType::F32);
    float* cp = cosT.data<float>();
    float* sp = sinT.data<float>();
    const int64_t axisOffset[3] = {0, grid[0] * split[0], grid[0] * split[0] + grid[1] * split[1]};
    for (int64_t f = 0; f < grid[0]; ++f)
        for (int64_t i = 0; i < grid[1]; ++i)
            for (int64_t j = 0; j < grid[2]; ++j) {
                const int64_t n = (f * grid[1] + i) * grid[2] + j;
                const int64_t pos[3] = {f, i, j};
                int64_t off = n * headDim;
                for (int a = 0; a < 3; ++a) {
                    const int dim = split[size_t(a)];
                    const int64_t src = axisOffset[a] + pos[a] * dim;
                    for (int d = 0; d < dim; ++d) {
                        cp[off + d] = axisCos[size_t(src + d)];
                        sp[off + d] = axisSin[size_t(src + d)];
                    }
                    off += dim;
                }
            }
    return {cosT, sinT};
}

Tensor applyRope(const Tensor& x, const ops::dit::RopeTables& rope) {
    const int64_t B = x.dim(0), N = x.dim(1), C = x.dim(2), d = rope.cos.dim(1);
    const Rotation r(x, rope.cos, rope.sin);
    const float *xp = r.x.data<float>(), *cp = r.cos.data<float>(), *sp = r.sin.data<float>();
    float* yp = r.y.data<float>();
    parallelFor(B * N, std::max<int64_t>(1, 4096 / C), [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t n = t % N;
            const float* cr = cp + n * d;
            const float* sr = sp + n * d;
            for (int64_t h = 0; h < C / d; ++h) {
                const float* xr = xp + t * C + h * d;
                float* yr = yp + t * C + h * d;
                for (int64_t j = 0; j < d; j += 2) {
                    const float x1 = xr[j], x2 = xr[j + 1];
                    const float c = cr[j], s = sr[j + 1];
                    yr[j] = x1 * c - x2 * s;
                    yr[j + 1] = x1 * s + x2 * c;
                }
            }
        }
    });
    return r.y;
}

ops::GemmaRotary gemmaRotaryTables(int64_t length, int64_t headDim, double theta) {
    const int64_t half = headDim / 2;
    std::vector<float> invFreq(static_cast<size_t>(half));
    for (int64_t k = 0; k < half; ++k) {
        const float exponent = float(2 * k) / float(headDim);
        invFreq[size_t(k)] = 1.0f / std::pow(float(theta), exponent);
    }
    ops::GemmaRotary t{Tensor::empty({length, headDim}, DType::F32),
                       Tensor::empty({length, headDim}, DType::F32)};
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

Tensor halfRotary(const Tensor& x, const ops::GemmaRotary& tables) {
    const int64_t B = x.dim(0), L = x.dim(1), heads = x.dim(2), D = x.dim(3), half = D / 2;
    const Rotation r(x, tables.cos, tables.sin);
    const float *xp = r.x.data<float>(), *cp = r.cos.data<float>(), *sp = r.sin.data<float>();
    float* yp = r.y.data<float>();
    parallelFor(B * L, 8, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t pos = r % L;
            const float* cr = cp + pos * D;
            const float* sr = sp + pos * D;
            for (int64_t h = 0; h < heads; ++h) {
                const float* xi = xp + (r * heads + h) * D;
                float* yo = yp + (r * heads + h) * D;
                // x·cos + rotate_half(x)·sin with rotate_half([x1, x2]) = [−x2, x1].
                for (int64_t d = 0; d < half; ++d) yo[d] = xi[d] * cr[d] + (-xi[d + half]) * sr[d];
                for (int64_t d = half; d < D; ++d) yo[d] = xi[d] * cr[d] + xi[d - half] * sr[d];
            }
        }
    });
    return r.y;
}

}  // namespace sv::cpu
