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
