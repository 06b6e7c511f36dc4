// Device memory and copies: the base hooks (allocation, byte copies, strided copies with dtype conversion).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "base/device_hooks.h"
#include "cuda/common.cuh"

namespace sv::detail {

namespace {

class CudaStorage final : public Storage {
public:
    CudaStorage(void* p, size_t bytes, int device) : Storage(p, bytes, Device::cuda(device)) {}
    ~CudaStorage() override { cudaFree(data()); }
};

constexpr int kMaxRank = 8;
struct StridedDesc {
    int rank;
    long long shape[kMaxRank];
    long long srcStride[kMaxRank];
    long long dstStride[kMaxRank];
};

template <class T>
__device__ float loadF(const void* p, long long i) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>) return __bfloat162float(static_cast<const T*>(p)[i]);
    else if constexpr (std::is_same_v<T, __half>) return __half2float(static_cast<const T*>(p)[i]);
    else return float(static_cast<const T*>(p)[i]);
}

template <class T>
__device__ void storeF(void* p, long long i, float v) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>) static_cast<T*>(p)[i] = __float2bfloat16_rn(v);
    else if constexpr (std::is_same_v<T, __half>) static_cast<T*>(p)[i] = __float2half_rn(v);
    else static_cast<T*>(p)[i] = T(v);
}

template <class S, class D>
__global__ void stridedCopyKernel(void* dst, const void* src, StridedDesc d, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        long long rem = i, so = 0, doff = 0;
        for (int k = d.rank - 1; k >= 0; --k) {
            long long idx = rem % d.shape[k];
            rem /= d.shape[k];
            so += idx * d.srcStride[k];
            doff += idx * d.dstStride[k];
        }
        if constexpr (std::is_same_v<S, D>) static_cast<D*>(dst)[doff] = static_cast<const S*>(src)[so];
        else storeF<D>(dst, doff, loadF<S>(src, so));
    }
}

template <class S>
void launchFor(const Tensor& dst, const Tensor& src, const StridedDesc& d, long long n) {
    unsigned blocks = std::min(cuda::ceilDiv(n, 256), 65535u);
    switch (dst.dtype()) {
        case DType::F32: stridedCopyKernel<S, float><<<blocks, 256>>>(dst.rawData(), src.rawData(), d, n); break;
        case DType::BF16: stridedCopyKernel<S, __nv_bfloat16><<<blocks, 256>>>(dst.rawData(), src.rawData(), d, n); break;
        case DType::F16: stridedCopyKernel<S, __half><<<blocks, 256>>>(dst.rawData(), src.rawData(), d, n); break;
        case DType::I64: stridedCopyKernel<S, long long><<<blocks, 256>>>(dst.rawData(), src.rawData(), d, n); break;
        case DType::I32: stridedCopyKernel<S, int><<<blocks, 256>>>(dst.rawData(), src.rawData(), d, n); break;
        case DType::U8: stridedCopyKernel<S, unsigned char><<<blocks, 256>>>(dst.rawData(), src.rawData(), d, n); break;
        default: fail("CUDA copy: unsupported destination dtype ", dtypeName(dst.dtype()));
    }
    SV_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

bool cudaAvailable() {
    int n = 0;
    return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

std::shared_ptr<Storage> cudaAllocate(size_t bytes, int device) {
    SV_CUDA_CHECK(cudaSetDevice(device));
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, std::max<size_t>(bytes, 1));
    if (err != cudaSuccess) {
        size_t freeB = 0, totalB = 0;
        cudaGetLastError();
        cudaMemGetInfo(&freeB, &totalB);
        fail("out of GPU memory: cannot allocate ", bytes >> 20, " MiB on cuda:", device, " (", freeB >> 20,
             " MiB free of ", totalB >> 20, " MiB)");
    }
    return std::make_shared<CudaStorage>(p, bytes, device);
}

void cudaCopyBytes(void* dst, Device, const void* src, Device, size_t bytes) {
    if (bytes == 0) return;
    SV_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDefault));
}

void cudaCopyStrided(const Tensor& dst, const Tensor& src) {
    const long long n = dst.numel();
    if (n == 0) return;
    if (dst.isContiguous() && src.isContiguous() && dst.dtype() == src.dtype()) {
        SV_CUDA_CHECK(cudaMemcpyAsync(dst.rawData(), src.rawData(), dst.nbytes(), cudaMemcpyDeviceToDevice));
        return;
    }
    SV_CHECK(dst.rank() <= kMaxRank, "CUDA copy: rank ", dst.rank(), " exceeds ", kMaxRank);
    StridedDesc d{};
    d.rank = dst.rank();
    for (int k = 0; k < d.rank; ++k) {
        d.shape[k] = dst.shape()[size_t(k)];
        d.srcStride[k] = src.strides()[size_t(k)];
        d.dstStride[k] = dst.strides()[size_t(k)];
    }
    switch (src.dtype()) {
        case DType::F32: launchFor<float>(dst, src, d, n); break;
        case DType::BF16: launchFor<__nv_bfloat16>(dst, src, d, n); break;
        case DType::F16: launchFor<__half>(dst, src, d, n); break;
        case DType::I64: launchFor<long long>(dst, src, d, n); break;
        case DType::I32: launchFor<int>(dst, src, d, n); break;
        case DType::U8: launchFor<unsigned char>(dst, src, d, n); break;
        default: fail("CUDA copy: unsupported source dtype ", dtypeName(src.dtype()));
    }
}

void cudaZero(const Tensor& dst) {
    SV_ASSERT(dst.isContiguous());
    SV_CUDA_CHECK(cudaMemsetAsync(dst.rawData(), 0, dst.nbytes()));
}

}  // namespace sv::detail
