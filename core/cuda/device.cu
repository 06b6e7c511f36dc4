// Device memory (a caching allocator: freed blocks are kept per size for reuse, so a denoising step allocates
// nothing from the driver after the first), copies, and the per-device context.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <type_traits>
#include <vector>

#include "base/device_hooks.h"
#include "cuda/context.cuh"
#include "cuda/mma.cuh"

namespace sv {

namespace cuda {
namespace {

constexpr int kMaxDevices = 16;

size_t roundSize(size_t bytes) {
    if (bytes <= 4096) return 4096;
    if (bytes <= (size_t(1) << 20)) return (bytes + 4095) / 4096 * 4096;
    return (bytes + (size_t(1) << 20) - 1) / (size_t(1) << 20) * (size_t(1) << 20);  // 1 MiB granularity
}

struct AllocatorStats {
    size_t allocated = 0;      // bytes held by live tensors
    size_t peakAllocated = 0;  // high-water mark since the last reset
    size_t reserved = 0;       // bytes held from the driver (live + cached)
};

class CachingAllocator {
  public:
    void* allocate(size_t bytes, int device) {
        const size_t size = roundSize(bytes);
        std::lock_guard lock(mutex_);
        auto& pool = free_[device];
        auto it = pool.lower_bound(size);
        // Reuse a cached block of the same size (or up to 1/8 larger, to limit waste).
        if (it != pool.end() && it->first <= size + size / 8) {
            void* p = it->second;
            account(device, it->first, true);
            sizes_[p] = it->first;
            pool.erase(it);
            return p;
        }
        void* p = nullptr;
        SV_CUDA_CHECK(cudaSetDevice(device));
        cudaError_t err = cudaMalloc(&p, size);
        if (err != cudaSuccess) {
            cudaGetLastError();
            releaseLocked(device);  // give cached blocks back and retry once
            err = cudaMalloc(&p, size);
        }
        if (err != cudaSuccess) {
            cudaGetLastError();
            size_t freeB = 0, totalB = 0;
            cudaMemGetInfo(&freeB, &totalB);
            fail("out of GPU memory: cannot allocate ", bytes >> 20, " MiB on cuda:", device, " (",
                 freeB >> 20, " MiB free of ", totalB >> 20, " MiB; ", stats_[device].allocated >> 20,
                 " MiB in use by this program)");
        }
        stats_[device].reserved += size;
        sizes_[p] = size;
        account(device, size, true);
        return p;
    }

    void release(void* p, int device) {
        std::lock_guard lock(mutex_);
        auto it = sizes_.find(p);
        if (it == sizes_.end()) return;
        account(device, it->second, false);
        free_[device].emplace(it->second, p);
        sizes_.erase(it);
    }

    void releaseCached(int device) {
        std::lock_guard lock(mutex_);
        releaseLocked(device);
    }

    MemoryStats stats(int device) {
        std::lock_guard lock(mutex_);
        const AllocatorStats& s = stats_[device];
        return {int64_t(s.allocated), int64_t(s.peakAllocated), int64_t(s.reserved)};
    }
    void resetPeak(int device) {
        std::lock_guard lock(mutex_);
        stats_[device].peakAllocated = stats_[device].allocated;
    }

  private:
    void account(int device, size_t size, bool add) {
        auto& s = stats_[device];
        s.allocated = add ? s.allocated + size : s.allocated - size;
        s.peakAllocated = std::max(s.peakAllocated, s.allocated);
    }
    void releaseLocked(int device) {
        cudaSetDevice(device);
        cudaDeviceSynchronize();
        for (auto& [size, p] : free_[device]) {
            cudaFree(p);
            stats_[device].reserved -= size;
        }
        free_[device].clear();
    }

    std::mutex mutex_;
    std::multimap<size_t, void*> free_[kMaxDevices];
    std::map<void*, size_t> sizes_;
    AllocatorStats stats_[kMaxDevices];
};

CachingAllocator& allocator() {
    static CachingAllocator a;  // process lifetime: blocks are returned to the driver at exit by the runtime
    return a;
}

class CudaStorage final : public Storage {
  public:
    CudaStorage(void* p, size_t bytes, int device) : Storage(p, bytes, Device::cuda(device)) {}
    ~CudaStorage() override { allocator().release(data(), device().index); }
};

Options readOptions() {
    Options o;
    const char* im2col = std::getenv("SV_VAE_CONV_IM2COL");
    o.vaeConvIm2col = im2col && std::strcmp(im2col, "1") == 0;
    const char* warps = std::getenv("SV_VAE_IGEMM_WARPS");
    if (warps && std::strcmp(warps, "4") == 0) o.igemmWarps = 4;
    return o;
}

}  // namespace

DeviceContext& deviceContext(int device) {
    static std::mutex mutex;
    static DeviceContext contexts[kMaxDevices];
    SV_ASSERT(device >= 0 && device < kMaxDevices);
    std::lock_guard lock(mutex);
    DeviceContext& c = contexts[device];
    SV_CUDA_CHECK(cudaSetDevice(device));
    if (!c.stream) {
        c.device = device;
        SV_CUDA_CHECK(cudaStreamCreateWithFlags(&c.stream, cudaStreamNonBlocking));
        SV_CUBLAS_CHECK(cublasLtCreate(&c.lt));
        c.workspaceBytes = size_t(64) << 20;
        SV_CUDA_CHECK(cudaMalloc(&c.workspace, c.workspaceBytes));
        c.options = readOptions();
        int major = 0, minor = 0;
        SV_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
        SV_CUDA_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device));
        c.computeCapability = major * 10 + minor;
    }
    return c;
}

MemoryStats memoryStats(int device) {
    return allocator().stats(device);
}
void resetPeakMemory(int device) {
    allocator().resetPeak(device);
}
void releaseCachedMemory(int device) {
    allocator().releaseCached(device);
}
void synchronize(int device) {
    SV_CUDA_CHECK(cudaStreamSynchronize(deviceContext(device).stream));
}

void* nativeStream(int device) {
    return deviceContext(device).stream;
}

int computeCapability(int device) {
    return deviceContext(device).computeCapability;
}

int deviceCount() {
    int n = 0;
    return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

std::string deviceName(int device) {
    cudaDeviceProp prop{};
    if (device < 0 || device >= deviceCount() || cudaGetDeviceProperties(&prop, device) != cudaSuccess)
        return "";
    return prop.name;
}

}  // namespace cuda

namespace detail {

namespace {

constexpr int kMaxRank = 8;
struct StridedDesc {
    int rank;
    long long shape[kMaxRank];
    long long srcStride[kMaxRank];
    long long dstStride[kMaxRank];
};

// Calls f(std::type_identity<T>{}) with T the storage type of dtype dt (float, __nv_bfloat16, __half, long
// long, int, unsigned char); sv::Error naming `what` for any other dtype.
template <class F>
void withStorageType(DType dt, const char* what, F&& f) {
    switch (dt) {
        case DType::F32:
            return f(std::type_identity<float>{});
        case DType::BF16:
            return f(std::type_identity<__nv_bfloat16>{});
        case DType::F16:
            return f(std::type_identity<__half>{});
        case DType::I64:
            return f(std::type_identity<long long>{});
        case DType::I32:
            return f(std::type_identity<int>{});
        case DType::U8:
            return f(std::type_identity<unsigned char>{});
        default:
            fail("CUDA copy: unsupported ", what, " dtype ", dtypeName(dt));
    }
}

template <class S, class D>
__global__ void stridedCopyKernel(void* dst, const void* src, StridedDesc d, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        long long rem = i, so = 0, doff = 0;
        for (int k = d.rank - 1; k >= 0; --k) {
            long long idx = rem % d.shape[k];
            rem /= d.shape[k];
            so += idx * d.srcStride[k];
            doff += idx * d.dstStride[k];
        }
        if constexpr (std::is_same_v<S, D>)
            static_cast<D*>(dst)[doff] = static_cast<const S*>(src)[so];
        else if constexpr (std::is_same_v<S, double> || std::is_same_v<D, double>)
            static_cast<D*>(dst)[doff] = D(static_cast<const S*>(src)[so]);
        else
            static_cast<D*>(dst)[doff] = cuda::fromF<D>(cuda::toF(static_cast<const S*>(src)[so]));
    }
}

template <class S>
void launchFor(const Tensor& dst, const Tensor& src, const StridedDesc& d, long long n, cudaStream_t s) {
    const unsigned blocks = std::min(cuda::ceilDiv(n, 256), 65535u);
    withStorageType(dst.dtype(), "destination", [&](auto dstType) {
        using D = typename decltype(dstType)::type;
        stridedCopyKernel<S, D><<<blocks, 256, 0, s>>>(dst.rawData(), src.rawData(), d, n);
    });
    SV_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

size_t cudaDeviceMemory(int device) {
    cudaDeviceProp prop{};
    return cudaGetDeviceProperties(&prop, device) == cudaSuccess ? prop.totalGlobalMem : 0;
}

std::shared_ptr<Storage> cudaAllocate(size_t bytes, int device) {
    cuda::deviceContext(device);
    return std::make_shared<cuda::CudaStorage>(cuda::allocator().allocate(bytes, device), bytes, device);
}

void cudaCopyBytes(void* dst, Device dstDevice, const void* src, Device srcDevice, size_t bytes) {
    if (bytes == 0) return;
    int dev = dstDevice.isCuda() ? dstDevice.index : srcDevice.index;
    cudaStream_t s = cuda::deviceContext(dev).stream;
    SV_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, s));
    SV_CUDA_CHECK(cudaStreamSynchronize(s));  // host buffers may be freed right after
}

void cudaCopyStrided(const Tensor& dst, const Tensor& src) {
    const long long n = dst.numel();
    if (n == 0) return;
    cudaStream_t s = cuda::deviceContext(dst.device().index).stream;
    if (dst.isContiguous() && src.isContiguous() && dst.dtype() == src.dtype()) {
        SV_CUDA_CHECK(
            cudaMemcpyAsync(dst.rawData(), src.rawData(), dst.nbytes(), cudaMemcpyDeviceToDevice, s));
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
    withStorageType(src.dtype(), "source",
                    [&](auto srcType) { launchFor<typename decltype(srcType)::type>(dst, src, d, n, s); });
}

CudaMultiprocessors cudaMultiprocessors(int device) {
    int n = 0;
    SV_CHECK(cudaGetDeviceCount(&n) == cudaSuccess && device >= 0 && device < n, "cuda:", device,
             " does not exist (", n, " CUDA device", n == 1 ? "" : "s", " found)");
    CudaMultiprocessors m;
    SV_CUDA_CHECK(cudaDeviceGetAttribute(&m.count, cudaDevAttrMultiProcessorCount, device));
    SV_CUDA_CHECK(
        cudaDeviceGetAttribute(&m.threadsPerMultiprocessor, cudaDevAttrMaxThreadsPerMultiProcessor, device));
    return m;
}

void cudaZero(const Tensor& dst) {
    SV_ASSERT(dst.isContiguous());
    SV_CUDA_CHECK(
        cudaMemsetAsync(dst.rawData(), 0, dst.nbytes(), cuda::deviceContext(dst.device().index).stream));
}

}  // namespace detail
}  // namespace sv
