// The CUDA row softmax (softmax.cuh).
#include "cuda/kernels.cuh"
#include "cuda/softmax.cuh"

namespace sv::cuda {

namespace {

constexpr int kWarpsPerBlock = 8;
static_assert(32 * kWarpsPerBlock <= 1024, "one block of whole warps");

// One warp per row. AddBias: s·scale + (bias ? bias[l] : 0) (diffusers SDPA with the encoder mask bias);
// otherwise s·scale (the VAE's unmasked SDPA).
template <class T, bool AddBias>
__global__ void softmaxRowsKernel(T* P, const float* S, const float* __restrict__ bias, long long rows,
                                  long long L, long long ld, float scale) {
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= rows) return;
    const float* s = S + row * ld;
    auto logit = [&](long long l) {
        if constexpr (AddBias)
            return s[l] * scale + (bias ? bias[l] : 0.0f);
        else
            return s[l] * scale;
    };
    float m = -INFINITY;
    for (long long l = lane; l < L; l += 32) m = fmaxf(m, logit(l));
    m = warpMax(m);
    float sum = 0.0f;
    for (long long l = lane; l < L; l += 32) sum += expf(logit(l) - m);
    sum = warpSum(sum);
    const float inv = 1.0f / sum;
    T* p = P + row * ld;
    for (long long l = lane; l < L; l += 32) p[l] = fromF<T>(expf(logit(l) - m) * inv);
}

}  // namespace

void softmaxRows(DType pType, void* P, const float* S, const float* bias, bool addBias, long long rows,
                 long long L, long long ld, float scale, cudaStream_t stream) {
    const unsigned blocks = unsigned((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
    SV_DISPATCH_FLOAT(pType, T, {
        if (addBias)
            softmaxRowsKernel<T, true>
                <<<blocks, 32 * kWarpsPerBlock, 0, stream>>>(static_cast<T*>(P), S, bias, rows, L, ld, scale);
        else
            softmaxRowsKernel<T, false>
                <<<blocks, 32 * kWarpsPerBlock, 0, stream>>>(static_cast<T*>(P), S, bias, rows, L, ld, scale);
    });
    checkLaunch();
}

}  // namespace sv::cuda
