// Device primitives shared by the CUDA kernels: float conversion of the storage types, and the Ampere/Hopper
// tensor-core building blocks (cp.async global → shared copies, ldmatrix, mma.sync m16n8k16 with fp32
// accumulation). CUDA headers only, so that the standalone harnesses under bench/ can include the kernels.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

namespace sv::cuda {

// A storage type's conversions to and from float: the bf16/f16 intrinsics (round to nearest even), a plain
// cast for the others.
template <class T>
struct FloatConversion {
    static __device__ __forceinline__ float to(T v) { return float(v); }
    static __device__ __forceinline__ T from(float v) { return T(v); }
};
template <>
struct FloatConversion<__nv_bfloat16> {
    static __device__ __forceinline__ float to(__nv_bfloat16 v) { return __bfloat162float(v); }
    static __device__ __forceinline__ __nv_bfloat16 from(float v) { return __float2bfloat16_rn(v); }
};
template <>
struct FloatConversion<__half> {
    static __device__ __forceinline__ float to(__half v) { return __half2float(v); }
    static __device__ __forceinline__ __half from(float v) { return __float2half_rn(v); }
};

template <class T>
__device__ __forceinline__ float toF(T v) {
    return FloatConversion<T>::to(v);
}

template <class T>
__device__ __forceinline__ T fromF(float v) {
    return FloatConversion<T>::from(v);
}

__device__ __forceinline__ uint32_t smemAddr(const void* p) {
    return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

/// 16 bytes global → shared, or 16 zero bytes when !valid (src is then not read).
__device__ __forceinline__ void cpAsync16(void* dst, const void* src, bool valid) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smemAddr(dst)), "l"(src),
                 "r"(valid ? 16 : 0));
}

__device__ __forceinline__ void cpAsyncCommit() {
    asm volatile("cp.async.commit_group;\n" ::);
}

/// Waits until at most `Pending` committed groups are still in flight.
template <int Pending>
__device__ __forceinline__ void cpAsyncWait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending));
}

__device__ __forceinline__ void ldmatrixX4(uint32_t (&r)[4], const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smemAddr(p)));
}

__device__ __forceinline__ void ldmatrixX4Trans(uint32_t (&r)[4], const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smemAddr(p)));
}

/// d (16×8, fp32) += a (16×16) · b (16×8), T = __nv_bfloat16 or __half.
template <class T>
__device__ __forceinline__ void mma16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    static_assert(std::is_same_v<T, __nv_bfloat16> || std::is_same_v<T, __half>);
    if constexpr (std::is_same_v<T, __nv_bfloat16>) {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, "
            "%9}, "
            "{%0, %1, %2, %3};\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm volatile(
            "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
            "{%0, %1, %2, %3};\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
}

/// Two adjacent 16×8 output tiles from one A fragment and an ldmatrix.x4 B fragment b (tiles b[0..1],
/// b[2..3]).
template <class T>
__device__ __forceinline__ void mma16816x2(float (&d0)[4], float (&d1)[4], const uint32_t (&a)[4],
                                           const uint32_t (&b)[4]) {
    mma16816<T>(d0, a, b[0], b[1]);
    mma16816<T>(d1, a, b[2], b[3]);
}

}  // namespace sv::cuda
