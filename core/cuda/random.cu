// CUDA random fill (benchmarks and self-made test models build full-size weights without a host round trip):
// the counter-based generator of backend/random_bits.h, one element per thread of a grid-stride loop.
#include "backend/random_bits.h"
#include "cuda/kernels.cuh"
#include "cuda/ops.h"

namespace sv::cuda {

namespace {

template <class T>
__global__ void normalKernel(T* __restrict__ y, long long n, unsigned long long seed, float mean,
                             float stddev) {
    const uint64_t key = random_bits::splitmix64(seed);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        const float r = sqrtf(-2.0f * logf(random_bits::unitOpen(random_bits::normalBits(key, i, 0))));
        const float z = r * cospif(2.0f * random_bits::unitOpen(random_bits::normalBits(key, i, 1)));
        y[i] = fromF<T>(mean + stddev * z);
    }
}

__global__ void uniformIntKernel(long long* __restrict__ y, long long n, unsigned long long seed,
                                 long long lo, unsigned long long span) {
    const uint64_t key = random_bits::splitmix64(seed);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x)
        y[i] = random_bits::uniformInt(key, i, lo, span);
}

}  // namespace

void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev) {
    const long long n = t.numel();
    if (n == 0) return;
    SV_DISPATCH_FLOAT(t.dtype(), T, {
        normalKernel<T>
            <<<gridFor(n), 256, 0, streamOf(t)>>>(static_cast<T*>(t.rawData()), n, seed, mean, stddev);
    });
    checkLaunch();
}

void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi) {
    const long long n = t.numel();
    if (n == 0) return;
    uniformIntKernel<<<gridFor(n), 256, 0, streamOf(t)>>>(reinterpret_cast<long long*>(t.rawData()), n, seed,
                                                          lo, (unsigned long long)(hi - lo));
    checkLaunch();
}

}  // namespace sv::cuda
