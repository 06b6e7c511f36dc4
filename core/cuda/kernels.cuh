// Device-side helpers shared by the CUDA op families: dtype dispatch, warp/block reductions and launch checks
// (float conversion of the storage types and the tensor-core primitives: cuda/mma.cuh).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <initializer_list>

#include "base/tensor.h"
#include "cuda/context.cuh"
#include "cuda/mma.cuh"

namespace sv::cuda {

__device__ __forceinline__ float warpSum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warpMax(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

/// Sum over the block (blockDim.x a multiple of 32, ≤ 1024); every thread gets the result. `scratch` holds 32
/// floats of shared memory; the call synchronises the block twice.
__device__ __forceinline__ float blockSum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warpSum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float s = lane < warps ? scratch[lane] : 0.0f;
    return warpSum(s);
}

__device__ __forceinline__ float siluF(float v) {
    return v / (1.0f + __expf(-v));
}

/// 8 consecutive elements at a 16-byte aligned address, as floats.
template <class T>
__device__ __forceinline__ void load8(const T* p, float* v) {
    if constexpr (sizeof(T) == 2) {
        const uint4 raw = *reinterpret_cast<const uint4*>(p);
        const T* h = reinterpret_cast<const T*>(&raw);
#pragma unroll
        for (int i = 0; i < 8; ++i) v[i] = toF(h[i]);
    } else {
        const float4 a = reinterpret_cast<const float4*>(p)[0], b = reinterpret_cast<const float4*>(p)[1];
        v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w, v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
    }
}

/// Stores 8 floats as T at a 16-byte aligned address.
template <class T>
__device__ __forceinline__ void store8(T* p, const float* v) {
    if constexpr (sizeof(T) == 2) {
        uint4 raw;
        T* h = reinterpret_cast<T*>(&raw);
#pragma unroll
        for (int i = 0; i < 8; ++i) h[i] = fromF<T>(v[i]);
        *reinterpret_cast<uint4*>(p) = raw;
    } else {
        reinterpret_cast<float4*>(p)[0] = make_float4(v[0], v[1], v[2], v[3]);
        reinterpret_cast<float4*>(p)[1] = make_float4(v[4], v[5], v[6], v[7]);
    }
}

/// True when every pointer is 16-byte aligned (the vector paths' precondition).
inline bool aligned16(std::initializer_list<const void*> ptrs) {
    for (const void* p : ptrs)
        if (p && reinterpret_cast<uintptr_t>(p) % 16 != 0) return false;
    return true;
}

/// The stream of a tensor's device.
inline cudaStream_t streamOf(const Tensor& t) {
    return deviceContext(t.device().index).stream;
}

inline void checkLaunch() {
    SV_CUDA_CHECK(cudaGetLastError());
}

/// Grid size for a grid-stride loop over n elements.
inline unsigned gridFor(long long n, int block = 256) {
    const long long b = (n + block - 1) / block;
    return unsigned(b < 1 ? 1 : (b > 65535LL * 8 ? 65535LL * 8 : b));
}

}  // namespace sv::cuda

/// Runs the statement with `T` bound to the storage type of a floating dtype (F32, BF16, F16).
#define SV_DISPATCH_FLOAT(dtype, T, ...)                                           \
    do {                                                                           \
        switch (dtype) {                                                           \
            case ::sv::DType::F32: {                                               \
                using T = float;                                                   \
                __VA_ARGS__;                                                       \
                break;                                                             \
            }                                                                      \
            case ::sv::DType::BF16: {                                              \
                using T = __nv_bfloat16;                                           \
                __VA_ARGS__;                                                       \
                break;                                                             \
            }                                                                      \
            case ::sv::DType::F16: {                                               \
                using T = __half;                                                  \
                __VA_ARGS__;                                                       \
                break;                                                             \
            }                                                                      \
            default:                                                               \
                ::sv::fail("CUDA op: unsupported dtype ", ::sv::dtypeName(dtype)); \
        }                                                                          \
    } while (0)
