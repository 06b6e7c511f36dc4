// CPU implementation of core/ops/dit_rope.h.
#include "ops/dit_rope.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/parallel.h"

#ifdef SV_WITH_CUDA
#include "cuda/dit.h"
#endif

namespace sv::ops::dit {

RopeTables ropeTables(std::array<int, 3> split, int maxSeqLen, double theta, std::array<int64_t, 3> grid,
                      Device device, int64_t frameOffset) {
    static constexpr const char* kAxis[3] = {"frames", "height", "width"};
    SV_ASSERT_MSG(frameOffset >= 0, "ropeTables: negative frame offset ", frameOffset);
    const int64_t start[3] = {frameOffset, 0, 0};
    int headDim = 0;
    for (int a = 0; a < 3; ++a) {
        SV_ASSERT_MSG(split[size_t(a)] > 0 && split[size_t(a)] % 2 == 0, "ropeTables: sub-dimension ",
                      split[size_t(a)], " must be positive and even");
        SV_CHECK(grid[size_t(a)] >= 1 && start[a] + grid[size_t(a)] <= maxSeqLen, "RoPE: the token grid has ",
                 grid[size_t(a)], " positions along ", kAxis[a],
                 start[a] > 0 ? concat(" from ", start[a]) : "", "; the model supports positions 0 to ",
                 maxSeqLen - 1, " (rope_max_seq_len)");
        headDim += split[size_t(a)];
    }
    // Per-axis tables [positions, sub-dim] in float, built in double like the reference.
    std::vector<float> axisCos[3], axisSin[3];
    for (int a = 0; a < 3; ++a) {
        const int dim = split[size_t(a)];
        const int64_t P = grid[size_t(a)];
        axisCos[a].resize(size_t(P * dim));
        axisSin[a].resize(size_t(P * dim));
        for (int k = 0; k < dim / 2; ++k) {
            const double omega = 1.0 / std::pow(theta, double(2 * k) / double(dim));
            for (int64_t p = 0; p < P; ++p) {
                const double angle = double(p + start[a]) * omega;
                const float c = float(std::cos(angle)), s = float(std::sin(angle));
                for (int r = 0; r < 2; ++r) {
                    axisCos[a][size_t(p * dim + 2 * k + r)] = c;
                    axisSin[a][size_t(p * dim + 2 * k + r)] = s;
                }
            }
        }
    }
#ifdef SV_WITH_CUDA
    if (device.isCuda()) {  // expand on the GPU: only the small per-axis tables cross the bus
        std::vector<float> c, s;
        for (int a = 0; a < 3; ++a) {
            c.insert(c.end(), axisCos[a].begin(), axisCos[a].end());
            s.insert(s.end(), axisSin[a].begin(), axisSin[a].end());
        }
        return cuda::ditExpandRope(c, s, split, grid, device);
    }
#endif
    const int64_t N = grid[0] * grid[1] * grid[2];
    Tensor cosT = Tensor::empty({N, headDim}, DType::F32);
    Tensor sinT = Tensor::empty({N, headDim}, DType::F32);
    float* cp = cosT.data<float>();
    float* sp = sinT.data<float>();
    for (int64_t f = 0; f < grid[0]; ++f)
        for (int64_t i = 0; i < grid[1]; ++i)
            for (int64_t j = 0; j < grid[2]; ++j) {
                const int64_t n = (f * grid[1] + i) * grid[2] + j;
                const int64_t pos[3] = {f, i, j};
                int64_t off = n * headDim;
                for (int a = 0; a < 3; ++a) {
                    const int dim = split[size_t(a)];
                    for (int d = 0; d < dim; ++d) {
                        cp[off + d] = axisCos[a][size_t(pos[a] * dim + d)];
                        sp[off + d] = axisSin[a][size_t(pos[a] * dim + d)];
                    }
                    off += dim;
                }
            }
    return {cosT.to(device), sinT.to(device)};
}

Tensor applyRope(const Tensor& x, const RopeTables& rope) {
#ifdef SV_WITH_CUDA
    if (x.device().isCuda()) return cuda::ditApplyRope(x, rope);
#endif
    SV_ASSERT_MSG(x.device().isCpu() && x.dtype() == DType::F32, "applyRope: CPU F32 only, got ",
                  x.describe());
    SV_ASSERT_MSG(rope.cos.device().isCpu() && rope.cos.dtype() == DType::F32 && rope.cos.rank() == 2 &&
                      rope.sin.shape() == rope.cos.shape(),
                  "applyRope: tables must be CPU F32 [N, d], got ", rope.cos.describe());
    SV_ASSERT_MSG(x.rank() == 3 && x.dim(1) == rope.cos.dim(0) && x.dim(2) % rope.cos.dim(1) == 0,
                  "applyRope: x ", x.describe(), " does not fit tables ", rope.cos.describe());
    const int64_t B = x.dim(0), N = x.dim(1), C = x.dim(2), d = rope.cos.dim(1);
    Tensor xc = x.contiguous();
    Tensor ct = rope.cos.contiguous(), st = rope.sin.contiguous();
    Tensor y = Tensor::empty(x.shape(), DType::F32);
    const float* xp = xc.data<float>();
    const float* cp = ct.data<float>();
    const float* sp = st.data<float>();
    float* yp = y.data<float>();
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
    return y;
}

}  // namespace sv::ops::dit
