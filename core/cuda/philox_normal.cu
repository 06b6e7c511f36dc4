// torch's CUDA normal kernel, reproduced with the same cuRAND device calls (Ref: PyTorch
// aten/src/ATen/native/cuda/DistributionTemplates.h, distribution_elementwise_grid_stride_kernel with
// curand_normal4 and transformation::normal). Compiled with nvcc's defaults as PyTorch is (no fast math:
// logf and sqrtf are the accurate ones, `x * C + C/2` contracts to an fma), so the values are torch's bits.
#include <curand_kernel.h>

#include "cuda/kernels.cuh"
#include "cuda/ops.h"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

constexpr int kBlockThreads = 256;  // torch's block_size_bound
constexpr int kUnroll = 4;          // normals per curand_normal4

template <class T>
__global__ void __launch_bounds__(kBlockThreads)
    philoxNormalKernel(T* __restrict__ out, long long numel, unsigned long long seed,
                       unsigned long long offset, float mean, float stddev) {
    const long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    curandStatePhilox4_32_10_t state;
    curand_init(seed, idx, offset, &state);
    const long long threads = (long long)blockDim.x * gridDim.x;
    const long long stride = threads * kUnroll;
    const long long rounded = ((numel - 1) / stride + 1) * stride;
    for (long long li = idx; li < rounded; li += stride) {
        const float4 rand = curand_normal4(&state);
#pragma unroll
        for (int j = 0; j < kUnroll; ++j) {
            const long long e = li + threads * j;
            // transformation::normal: rand * std + mean in float, with std and mean run-time values as in
            // torch (so −0 becomes +0, as there).
            if (e < numel) out[e] = fromF<T>((&rand.x)[j] * stddev + mean);
        }
    }
}

}  // namespace

Tensor philoxNormal(const Shape& shape, DType dtype, Device device, const ops::PhiloxNormalLaunch& launch) {
    const OpScope opScope("philox_normal", device.index);
    SV_ASSERT(device.isCuda());
    Tensor out = Tensor::empty(shape, dtype, device);
    const long long numel = out.numel();
    if (numel == 0) return out;
    SV_DISPATCH_FLOAT(dtype, T, {
        philoxNormalKernel<T><<<unsigned(launch.blocks), kBlockThreads, 0, streamOf(out)>>>(
            static_cast<T*>(out.rawData()), numel, launch.seed, launch.offset, 0.0f, 1.0f);
    });
    checkLaunch();
    return out;
}

}  // namespace sv::cuda
