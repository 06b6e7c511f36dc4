// CUDA 8-bit weights (ops/quantize.h): per-row absmax quantization to I8 / F8E4M3 and dequantization to the
// activation dtype. The same fp32 operations in the same order as the CPU reference (core/cpu/quantize.cpp):
// the factor Q / m and the scale m / Q as IEEE divisions, one product per element rounded to fp32, then to
// the code (int8: nearest even; e4m3: cvt.rn.satfinite, cuda_fp8.h __nv_cvt_float_to_fp8 with
// __NV_SATFINITE) or, dequantizing, to the output dtype; so CPU and GPU give the same bits.
#include <cuda_fp8.h>

#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"
#include "ops/quantize.h"

namespace sv::cuda {

namespace {

constexpr int kRowThreads = 256;

/// Max over the block (blockDim.x a multiple of 32); every thread gets the result. `scratch`: 32 floats.
__device__ __forceinline__ float blockMax(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warpMax(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    return warpMax(lane < warps ? scratch[lane] : 0.0f);
}

// One block per row of n elements: scale[row] and the row's codes.
template <class T, bool Fp8>
__global__ void __launch_bounds__(kRowThreads)
    quantizeRowsKernel(uint8_t* __restrict__ q, float* __restrict__ scale, const T* __restrict__ w,
                       long long n, float Q) {
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    const T* wr = w + row * n;
    uint8_t* qr = q + row * n;
    float m = 0.0f, bad = 0.0f;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
        const float v = toF(wr[i]);
        if (!isfinite(v)) bad = 1.0f;
        m = fmaxf(m, fabsf(v));
    }
    m = blockMax(m, scratch);
    bad = blockMax(bad, scratch);
    if (bad != 0.0f || m == 0.0f) {
        for (long long i = threadIdx.x; i < n; i += blockDim.x) qr[i] = 0;
        if (threadIdx.x == 0) scale[row] = bad != 0.0f ? __int_as_float(0x7fc00000) : 0.0f;
        return;
    }
    const float f = __fdiv_rn(Q, m);
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
        const float v = __fmul_rn(toF(wr[i]), f);
        if constexpr (Fp8) {
            qr[i] = __nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3);
        } else {
            qr[i] = uint8_t(int8_t(min(127, max(-127, __float2int_rn(v)))));
        }
    }
    if (threadIdx.x == 0) scale[row] = __fdiv_rn(m, Q);
}

// The same per-row recipe for activations (many short rows, e.g. 65,520 tokens × 2240): one warp per row, 8
// elements per vector load (width % 8 == 0, rows 16-byte aligned), the row read twice (the second time from
// L1/L2). The max is order-free and the other operations are quantizeRowsKernel's, so the bits are the same.
template <class T>
__global__ void __launch_bounds__(256)
    quantizeRowsWarpKernel(uint8_t* __restrict__ q, float* __restrict__ scale, const T* __restrict__ x,
                           long long rows, int n) {
    const int lane = threadIdx.x & 31;
    const long long row = blockIdx.x * (long long)(blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;
    const T* xr = x + row * n;
    uint8_t* qr = q + row * n;
    float m = 0.0f, bad = 0.0f, v[8];
    for (int i = lane * 8; i < n; i += 256) {
        load8(xr + i, v);
#pragma unroll
        for (int j = 0; j < 8; ++j) {
            if (!isfinite(v[j])) bad = 1.0f;
            m = fmaxf(m, fabsf(v[j]));
        }
    }
    m = warpMax(m);
    bad = warpMax(bad);
    const bool zero = bad != 0.0f || m == 0.0f;
    const float f = zero ? 0.0f : __fdiv_rn(448.0f, m);
    for (int i = lane * 8; i < n; i += 256) {
        uint2 codes = make_uint2(0, 0);
        if (!zero) {
            load8(xr + i, v);
            auto* c = reinterpret_cast<uint8_t*>(&codes);
#pragma unroll
            for (int j = 0; j < 8; ++j)
                c[j] = __nv_cvt_float_to_fp8(__fmul_rn(v[j], f), __NV_SATFINITE, __NV_E4M3);
        }
        *reinterpret_cast<uint2*>(qr + i) = codes;
    }
    if (lane == 0) scale[row] = bad != 0.0f ? __int_as_float(0x7fc00000) : zero ? 0.0f : __fdiv_rn(m, 448.0f);
}

template <class T, bool Fp8>
__global__ void dequantizeKernel(T* __restrict__ y, const uint8_t* __restrict__ q,
                                 const float* __restrict__ scale, long long n, long long total) {
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        float v;
        if constexpr (Fp8) {
            v = __half2float(__half(__nv_cvt_fp8_to_halfraw(q[e], __NV_E4M3)));  // exact: e4m3 ⊂ f16
        } else {
            v = float(int8_t(q[e]));
        }
        y[e] = fromF<T>(__fmul_rn(v, scale[e / n]));
    }
}

}  // namespace

Tensor quantize(const Tensor& wIn, DType format) {
    const OpScope opScope("quantize", wIn.device().index);
    const Tensor w = wIn.contiguous();
    const long long rows = w.dim(0), n = rows > 0 ? w.numel() / rows : 0;
    Tensor q = Tensor::empty(w.shape(), format, w.device());
    Tensor s = Tensor::empty({rows}, DType::F32, w.device());
    if (rows > 0) {
        SV_ASSERT_MSG(rows <= 0x7fffffffLL, "quantize: ", rows, " rows");
        const float Q = ops::eightBitMax(format);
        auto* qp = static_cast<uint8_t*>(q.rawData());
        float* sp = s.data<float>();
        SV_DISPATCH_FLOAT(w.dtype(), T, {
            const auto* wp = static_cast<const T*>(w.rawData());
            if (format == DType::F8E4M3)
                quantizeRowsKernel<T, true>
                    <<<unsigned(rows), kRowThreads, 0, streamOf(w)>>>(qp, sp, wp, n, Q);
            else
                quantizeRowsKernel<T, false>
                    <<<unsigned(rows), kRowThreads, 0, streamOf(w)>>>(qp, sp, wp, n, Q);
        });
        checkLaunch();
    }
    return q.withQuantScales(std::move(s));
}

Tensor quantizeRowsFp8(const Tensor& xIn, int64_t width) {
    const Tensor x = xIn.contiguous().reshape({xIn.numel() / width, width});
    const long long rows = x.dim(0);
    if (width % 8 != 0 || width > 0x7fffffffLL || !aligned16({x.rawData()}) || rows == 0)
        return quantize(x, DType::F8E4M3);
    SV_ASSERT(ops::eightBitMax(DType::F8E4M3) == 448.0f);
    const OpScope opScope("quantize.rows", x.device().index);
    Tensor q = Tensor::empty(x.shape(), DType::F8E4M3, x.device());
    Tensor s = Tensor::empty({rows}, DType::F32, x.device());
    constexpr int kRowsPerBlock = 8;
    const auto blocks = unsigned((rows + kRowsPerBlock - 1) / kRowsPerBlock);
    SV_DISPATCH_FLOAT(x.dtype(), T, {
        quantizeRowsWarpKernel<T><<<blocks, 32 * kRowsPerBlock, 0, streamOf(x)>>>(
            static_cast<uint8_t*>(q.rawData()), s.data<float>(), static_cast<const T*>(x.rawData()), rows,
            int(width));
    });
    checkLaunch();
    return q.withQuantScales(std::move(s));
}

Tensor dequantize(const Tensor& w, DType dtype) {
    const OpScope opScope("dequantize", w.device().index);
    const Tensor q = w.contiguous();
    const Tensor s = w.quantScales().contiguous();
    const long long total = q.numel(), n = q.dim(0) > 0 ? total / q.dim(0) : 0;
    Tensor y = Tensor::empty(q.shape(), dtype, q.device());
    if (total == 0) return y;
    const auto* qp = static_cast<const uint8_t*>(q.rawData());
    const float* sp = s.data<float>();
    SV_DISPATCH_FLOAT(dtype, T, {
        if (q.dtype() == DType::F8E4M3)
            dequantizeKernel<T, true>
                <<<gridFor(total), 256, 0, streamOf(q)>>>(static_cast<T*>(y.rawData()), qp, sp, n, total);
        else
            dequantizeKernel<T, false>
                <<<gridFor(total), 256, 0, streamOf(q)>>>(static_cast<T*>(y.rawData()), qp, sp, n, total);
    });
    checkLaunch();
    return y;
}

}  // namespace sv::cuda
