#include "cuda/kernels.cuh"
#include "cuda/random.h"

namespace sv::cuda {

namespace {

__device__ __forceinline__ unsigned long long splitmix64(unsigned long long z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// (0, 1]: 24 random bits, never zero (log is taken).
__device__ __forceinline__ float unitOpen(unsigned long long bits) {
    return (float((bits >> 40) & 0xFFFFFFull) + 1.0f) * (1.0f / 16777216.0f);
}

template <class T>
__global__ void normalKernel(T* __restrict__ y, long long n, unsigned long long seed, float mean,
                             float stddev) {
    const unsigned long long key = splitmix64(seed);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const unsigned long long h1 = splitmix64(key ^ (unsigned long long)(2 * i));
        const unsigned long long h2 = splitmix64(key ^ (unsigned long long)(2 * i + 1));
        const float r = sqrtf(-2.0f * logf(unitOpen(h1)));
        const float z = r * cospif(2.0f * unitOpen(h2));
        y[i] = fromF<T>(mean + stddev * z);
    }
}

__global__ void uniformIntKernel(long long* __restrict__ y, long long n, unsigned long long seed,
                                 long long lo, unsigned long long span) {
    const unsigned long long key = splitmix64(seed);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x)
        y[i] = lo + (long long)(splitmix64(key ^ (unsigned long long)i) % span);
}

}  // namespace

void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev) {
    SV_ASSERT_MSG(t.device().isCuda() && t.isContiguous(), "fillNormal: ", t.describe());
    const long long n = t.numel();
    if (n == 0) return;
    SV_DISPATCH_FLOAT(t.dtype(), T, {
        normalKernel<T>
            <<<gridFor(n), 256, 0, streamOf(t)>>>(static_cast<T*>(t.rawData()), n, seed, mean, stddev);
    });
    checkLaunch();
}

void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi) {
    SV_ASSERT_MSG(t.device().isCuda() && t.isContiguous() && t.dtype() == DType::I64 && hi > lo,
                  "fillUniformInt: ", t.describe());
    const long long n = t.numel();
    if (n == 0) return;
    uniformIntKernel<<<gridFor(n), 256, 0, streamOf(t)>>>(reinterpret_cast<long long*>(t.rawData()), n, seed,
                                                          lo, (unsigned long long)(hi - lo));
    checkLaunch();
}

}  // namespace sv::cuda
