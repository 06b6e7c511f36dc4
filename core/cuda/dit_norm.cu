// CUDA: DiT RMSNorm, LayerNorm + modulation, gated residual, row gather, RoPE application.
#include "cuda/dit.h"
#include "cuda/kernels.cuh"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

// Modulation row of token (b, n): row b, index[b] or index[b·N + n].
struct RowIndex {
    const int32_t* index = nullptr;
    long long size = 0;
    long long batch = 0, tokens = 0;
    __device__ __forceinline__ long long row(long long b, long long n) const {
        if (!index) return b;
        return size == batch ? index[b] : index[b * tokens + n];
    }
};

RowIndex rowIndexOf(const Tensor& index, const Tensor& x, long long B, long long N, long long R,
                    const char* op) {
    RowIndex m{nullptr, 0, B, N};
    if (!index.defined()) {
        SV_ASSERT_MSG(R == B, op, ": without a row index the modulation needs one row per sample (", B,
                      "), got ", R);
        return m;
    }
    SV_ASSERT_MSG(index.device() == x.device() && index.dtype() == DType::I32 && index.isContiguous(), op,
                  ": the row index must be a contiguous I32 tensor on ", x.device().toString(), ", got ",
                  index.describe());
    m.index = index.data<int32_t>();
    m.size = index.numel();
    SV_ASSERT_MSG(m.size == B || m.size == B * N, op, ": row index has ", m.size, " entries; expected ", B,
                  " or ", B * N);
    return m;
}

// [R, D] rows in the activation dtype with unit inner stride.
Tensor rowsOf(const Tensor& t, DType dt, long long D, const char* op, const char* what) {
    SV_ASSERT_MSG(t.defined() && t.rank() == 2 && t.dim(1) == D, op, ": ", what, " must be [R, ", D,
                  "], got ", t.defined() ? t.describe() : std::string("nothing"));
    Tensor r = t.dtype() == dt ? t : t.to(dt);
    if (r.strides()[1] != 1 && D != 1) r = r.contiguous();
    return r;
}

// Vector paths: one block of kVecThreads per row, the row held in registers (kVecPerThread vectors of 8 per
// thread), one read and one write of every element.
constexpr int kVecThreads = 128;
constexpr int kVecPerThread = 4;  // rows up to 4096 elements

bool vectorRows(long long D, std::initializer_list<const void*> ptrs,
                std::initializer_list<long long> strides, size_t es) {
    if (D % 8 != 0 || D / 8 > kVecThreads * kVecPerThread || !aligned16(ptrs)) return false;
    for (long long st : strides)
        if ((st * (long long)es) % 16 != 0) return false;
    return true;
}

template <class T>
__global__ void __launch_bounds__(kVecThreads)
    rmsNormVecKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w, int D, float eps) {
    __shared__ float scratch[32];
    const long long off = blockIdx.x * (long long)D;
    float v[kVecPerThread][8];
    float ss = 0.0f;
#pragma unroll
    for (int i = 0; i < kVecPerThread; ++i) {
        const int e = (threadIdx.x + i * kVecThreads) * 8;
        if (e < D) {
            load8(x + off + e, v[i]);
#pragma unroll
            for (int t = 0; t < 8; ++t) ss += v[i][t] * v[i][t];
        }
    }
    ss = blockSum(ss, scratch);
    const float inv = 1.0f / sqrtf(ss / float(D) + eps);
#pragma unroll
    for (int i = 0; i < kVecPerThread; ++i) {
        const int e = (threadIdx.x + i * kVecThreads) * 8;
        if (e < D) {
            float wv[8], o[8];
            load8(w + e, wv);
#pragma unroll
            for (int t = 0; t < 8; ++t) o[t] = (v[i][t] * inv) * wv[t];
            store8(y + off + e, o);
        }
    }
}

template <class T>
__global__ void __launch_bounds__(kVecThreads)
    layerNormModulateVecKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ shift,
                               long long shiftStride, const T* __restrict__ scale, long long scaleStride,
                               RowIndex rows, int D, float eps) {
    __shared__ float scratch[32];
    const long long t = blockIdx.x;
    const long long r = rows.row(t / rows.tokens, t % rows.tokens);
    const long long off = t * D;
    float v[kVecPerThread][8];
    float sum = 0.0f;
#pragma unroll
    for (int i = 0; i < kVecPerThread; ++i) {
        const int e = (threadIdx.x + i * kVecThreads) * 8;
        if (e < D) {
            load8(x + off + e, v[i]);
#pragma unroll
            for (int k = 0; k < 8; ++k) sum += v[i][k];
        }
    }
    const float mean = blockSum(sum, scratch) / float(D);
    float var = 0.0f;
#pragma unroll
    for (int i = 0; i < kVecPerThread; ++i) {
        const int e = (threadIdx.x + i * kVecThreads) * 8;
        if (e < D) {
#pragma unroll
            for (int k = 0; k < 8; ++k) {
                const float c = v[i][k] - mean;
                var += c * c;
            }
        }
    }
    const float rstd = 1.0f / sqrtf(blockSum(var, scratch) / float(D) + eps);
#pragma unroll
    for (int i = 0; i < kVecPerThread; ++i) {
        const int e = (threadIdx.x + i * kVecThreads) * 8;
        if (e < D) {
            float sh[8], sc[8], o[8];
            load8(shift + r * shiftStride + e, sh);
            load8(scale + r * scaleStride + e, sc);
#pragma unroll
            for (int k = 0; k < 8; ++k) o[k] = ((v[i][k] - mean) * rstd) * (1.0f + sc[k]) + sh[k];
            store8(y + off + e, o);
        }
    }
}

template <class T>
__global__ void __launch_bounds__(kVecThreads)
    gatedResidualVecKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ branch,
                           const T* __restrict__ gate, long long gateStride, RowIndex rows, int D) {
    const long long t = blockIdx.x;
    const T* g = gate + rows.row(t / rows.tokens, t % rows.tokens) * gateStride;
    const long long off = t * D;
    for (int e = threadIdx.x * 8; e < D; e += kVecThreads * 8) {
        float a[8], b[8], gv[8], o[8];
        load8(x + off + e, a);
        load8(branch + off + e, b);
        load8(g + e, gv);
#pragma unroll
        for (int k = 0; k < 8; ++k) o[k] = a[k] + gv[k] * b[k];
        store8(y + off + e, o);
    }
}

// cos/sin [N, D]: token n = (f, i, j) row-major, columns [t | h | w]; axis a's entry (p, d) at
// offset[a] + p·split[a] + d of the concatenated per-axis tables.
struct RopeAxes {
    int split[3];
    long long grid[3];
    long long offset[3];
};

__global__ void expandRopeKernel(float* __restrict__ cosT, float* __restrict__ sinT,
                                 const float* __restrict__ ac, const float* __restrict__ as, RopeAxes ax,
                                 int D, long long total) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const long long n = e / D;
        int col = int(e % D), a = 0;
        while (col >= ax.split[a]) col -= ax.split[a++];
        const long long j = n % ax.grid[2], i = (n / ax.grid[2]) % ax.grid[1],
                        f = n / (ax.grid[2] * ax.grid[1]);
        const long long p = a == 0 ? f : (a == 1 ? i : j);
        const long long src = ax.offset[a] + p * ax.split[a] + col;
        cosT[e] = ac[src];
        sinT[e] = as[src];
    }
}

int normThreads(long long D) {
    return D >= 1024 ? 256 : (D >= 256 ? 128 : 64);
}

template <class T>
__global__ void rmsNormKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ w,
                              long long D, float eps) {
    __shared__ float scratch[32];
    const T* xr = x + blockIdx.x * D;
    T* yr = y + blockIdx.x * D;
    float ss = 0.0f;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) {
        const float v = toF(xr[i]);
        ss += v * v;
    }
    ss = blockSum(ss, scratch);
    const float inv = 1.0f / sqrtf(ss / float(D) + eps);
    for (long long i = threadIdx.x; i < D; i += blockDim.x) yr[i] = fromF<T>((toF(xr[i]) * inv) * toF(w[i]));
}

template <class T>
__global__ void layerNormModulateKernel(T* __restrict__ y, const T* __restrict__ x,
                                        const T* __restrict__ shift, long long shiftStride,
                                        const T* __restrict__ scale, long long scaleStride, RowIndex rows,
                                        long long D, float eps) {
    __shared__ float scratch[32];
    const long long t = blockIdx.x;
    const long long r = rows.row(t / rows.tokens, t % rows.tokens);
    const T* xr = x + t * D;
    T* yr = y + t * D;
    float s = 0.0f;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) s += toF(xr[i]);
    const float mean = blockSum(s, scratch) / float(D);
    float v = 0.0f;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) {
        const float c = toF(xr[i]) - mean;
        v += c * c;
    }
    const float var = blockSum(v, scratch) / float(D);
    const float rstd = 1.0f / sqrtf(var + eps);
    const T* sh = shift + r * shiftStride;
    const T* sc = scale + r * scaleStride;
    for (long long i = threadIdx.x; i < D; i += blockDim.x) {
        const float normed = (toF(xr[i]) - mean) * rstd;
        yr[i] = fromF<T>(normed * (1.0f + toF(sc[i])) + toF(sh[i]));
    }
}

// One block per token row: the modulation row is looked up once.
template <class T>
__global__ void gatedResidualKernel(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ branch,
                                    const T* __restrict__ gate, long long gateStride, RowIndex rows,
                                    long long D) {
    const long long t = blockIdx.x;
    const T* g = gate + rows.row(t / rows.tokens, t % rows.tokens) * gateStride;
    const long long off = t * D;
    for (long long c = threadIdx.x; c < D; c += blockDim.x)
        y[off + c] = fromF<T>(toF(x[off + c]) + toF(g[c]) * toF(branch[off + c]));
}

template <class T>
__global__ void gatherRowsKernel(T* __restrict__ y, const T* __restrict__ table, long long tableStride,
                                 const int32_t* __restrict__ index, long long D, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const long long m = i / D, c = i % D;
        y[i] = table[index[m] * tableStride + c];
    }
}

// One thread per pair (2j, 2j+1) of x [B, N, C] (C = heads·d): rotation by the token's table row.
template <class T>
__global__ void applyRopeKernel(T* __restrict__ y, const T* __restrict__ x, const float* __restrict__ cosT,
                                const float* __restrict__ sinT, long long N, long long C, long long d,
                                long long pairs) {
    for (long long p = blockIdx.x * (long long)blockDim.x + threadIdx.x; p < pairs;
         p += (long long)gridDim.x * blockDim.x) {
        const long long e = 2 * p;  // flat index of the pair's first element
        const long long t = e / C, c = e % C, j = c % d, n = t % N;
        const float x1 = toF(x[e]), x2 = toF(x[e + 1]);
        const float cs = cosT[n * d + j], sn = sinT[n * d + j + 1];
        y[e] = fromF<T>(x1 * cs - x2 * sn);
        y[e + 1] = fromF<T>(x1 * sn + x2 * cs);
    }
}

}  // namespace

Tensor ditRmsNorm(const Tensor& xIn, const Tensor& weight, float eps) {
    const OpScope opScope("dit.rmsNorm", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && weight.numel() == xIn.dim(-1), "CUDA rmsNorm: x ", xIn.describe(),
                  " weight ", weight.describe());
    const Tensor x = xIn.contiguous();
    const Tensor w = weight.to(x.dtype()).contiguous();
    const long long D = x.dim(-1), rows = D > 0 ? x.numel() / D : 0;
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (rows == 0) return y;
    const size_t es = dtypeSize(x.dtype());
    if (vectorRows(D, {x.rawData(), w.rawData(), y.rawData()}, {}, es)) {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            rmsNormVecKernel<T><<<unsigned(rows), kVecThreads, 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(w.rawData()), int(D), eps);
        });
    } else {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            rmsNormKernel<T><<<unsigned(rows), normThreads(D), 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(w.rawData()), D, eps);
        });
    }
    checkLaunch();
    return y;
}

Tensor ditLayerNormModulate(const Tensor& xIn, const Tensor& shiftIn, const Tensor& scaleIn,
                            const Tensor& rowIndex, float eps) {
    const OpScope opScope("dit.layerNormModulate", xIn.device().index);
    const char* op = "CUDA layerNormModulate";
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 3, op, ": x ", xIn.describe());
    const Tensor x = xIn.contiguous();
    const long long B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Tensor shift = rowsOf(shiftIn, x.dtype(), D, op, "shift");
    const Tensor scale = rowsOf(scaleIn, x.dtype(), D, op, "scale");
    SV_ASSERT(shift.dim(0) == scale.dim(0));
    const RowIndex rows = rowIndexOf(rowIndex, x, B, N, shift.dim(0), op);
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    if (B * N == 0) return y;
    if (vectorRows(D, {x.rawData(), shift.rawData(), scale.rawData(), y.rawData()},
                   {shift.strides()[0], scale.strides()[0]}, dtypeSize(x.dtype()))) {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            layerNormModulateVecKernel<T><<<unsigned(B * N), kVecThreads, 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(shift.rawData()), shift.strides()[0],
                static_cast<const T*>(scale.rawData()), scale.strides()[0], rows, int(D), eps);
        });
    } else {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            layerNormModulateKernel<T><<<unsigned(B * N), normThreads(D), 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(shift.rawData()), shift.strides()[0],
                static_cast<const T*>(scale.rawData()), scale.strides()[0], rows, D, eps);
        });
    }
    checkLaunch();
    return y;
}

Tensor ditGatedResidual(const Tensor& xIn, const Tensor& branchIn, const Tensor& gateIn,
                        const Tensor& rowIndex) {
    const OpScope opScope("dit.gatedResidual", xIn.device().index);
    const char* op = "CUDA gatedResidual";
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 3 && branchIn.shape() == xIn.shape() &&
                      branchIn.device() == xIn.device(),
                  op, ": x ", xIn.describe(), ", branch ", branchIn.describe());
    const Tensor x = xIn.contiguous();
    const Tensor branch = branchIn.to(x.dtype()).contiguous();
    const long long B = x.dim(0), N = x.dim(1), D = x.dim(2);
    const Tensor gate = rowsOf(gateIn, x.dtype(), D, op, "gate");
    const RowIndex rows = rowIndexOf(rowIndex, x, B, N, gate.dim(0), op);
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long n = x.numel();
    if (n == 0) return y;
    if (vectorRows(D, {x.rawData(), branch.rawData(), gate.rawData(), y.rawData()}, {gate.strides()[0]},
                   dtypeSize(x.dtype()))) {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            gatedResidualVecKernel<T><<<unsigned(B * N), kVecThreads, 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(branch.rawData()), static_cast<const T*>(gate.rawData()),
                gate.strides()[0], rows, int(D));
        });
    } else {
        SV_DISPATCH_FLOAT(x.dtype(), T, {
            gatedResidualKernel<T><<<unsigned(B * N), normThreads(D), 0, streamOf(x)>>>(
                static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()),
                static_cast<const T*>(branch.rawData()), static_cast<const T*>(gate.rawData()),
                gate.strides()[0], rows, D);
        });
    }
    checkLaunch();
    return y;
}

Tensor ditGatherRows(const Tensor& tableIn, const Tensor& indexIn) {
    const OpScope opScope("dit.gatherRows", tableIn.device().index);
    SV_ASSERT_MSG(tableIn.device().isCuda() && tableIn.rank() == 2 && indexIn.dtype() == DType::I32,
                  "CUDA gatherRows: table ", tableIn.describe(), " index ", indexIn.describe());
    const Tensor table = tableIn.strides()[1] == 1 ? tableIn : tableIn.contiguous();
    const Tensor index = indexIn.to(table.device()).contiguous();
    const long long M = index.numel(), D = table.dim(1);
    Tensor y = Tensor::empty({M, D}, table.dtype(), table.device());
    const long long n = M * D;
    if (n == 0) return y;
    SV_DISPATCH_FLOAT(table.dtype(), T, {
        gatherRowsKernel<T><<<gridFor(n), 256, 0, streamOf(table)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(table.rawData()), table.strides()[0],
            index.data<int32_t>(), D, n);
    });
    checkLaunch();
    return y;
}

ops::dit::RopeTables ditExpandRope(const std::vector<float>& axisCos, const std::vector<float>& axisSin,
                                   std::array<int, 3> split, std::array<int64_t, 3> grid, Device device) {
    SV_ASSERT(device.isCuda() && axisCos.size() == axisSin.size());
    RopeAxes ax{};
    long long off = 0;
    int D = 0;
    for (int a = 0; a < 3; ++a) {
        ax.split[a] = split[size_t(a)];
        ax.grid[a] = grid[size_t(a)];
        ax.offset[a] = off;
        off += grid[size_t(a)] * split[size_t(a)];
        D += split[size_t(a)];
    }
    SV_ASSERT(size_t(off) == axisCos.size());
    const Tensor ac = Tensor::fromFloats(axisCos, {off}).to(device),
                 as = Tensor::fromFloats(axisSin, {off}).to(device);
    const long long N = grid[0] * grid[1] * grid[2];
    ops::dit::RopeTables t{Tensor::empty({N, D}, DType::F32, device),
                           Tensor::empty({N, D}, DType::F32, device)};
    const long long total = N * D;
    if (total == 0) return t;
    expandRopeKernel<<<gridFor(total), 256, 0, deviceContext(device.index).stream>>>(
        t.cos.data<float>(), t.sin.data<float>(), ac.data<float>(), as.data<float>(), ax, D, total);
    checkLaunch();
    return t;
}

Tensor ditApplyRope(const Tensor& xIn, const ops::dit::RopeTables& rope) {
    const OpScope opScope("dit.applyRope", xIn.device().index);
    SV_ASSERT_MSG(xIn.device().isCuda() && xIn.rank() == 3 && rope.cos.rank() == 2 &&
                      xIn.dim(1) == rope.cos.dim(0) && xIn.dim(2) % rope.cos.dim(1) == 0,
                  "CUDA applyRope: x ", xIn.describe(), " tables ", rope.cos.describe());
    const Tensor x = xIn.contiguous();
    const Tensor c = rope.cos.to(x.device()).to(DType::F32).contiguous();
    const Tensor s = rope.sin.to(x.device()).to(DType::F32).contiguous();
    Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
    const long long pairs = x.numel() / 2;
    if (pairs == 0) return y;
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        applyRopeKernel<T><<<gridFor(pairs), 256, 0, streamOf(x)>>>(
            static_cast<T*>(y.rawData()), static_cast<const T*>(x.rawData()), c.data<float>(),
            s.data<float>(), x.dim(1), x.dim(2), rope.cos.dim(1), pairs);
    });
    checkLaunch();
    return y;
}

}  // namespace sv::cuda
