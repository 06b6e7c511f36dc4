#include "parallel/nccl.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>

#include "backend/device.h"
#ifdef SV_WITH_CUDA
#include "cuda/context.h"
#endif

namespace sv {

namespace {

// The part of NCCL's C API used here, declared from nccl.h (NVIDIA/nccl src/nccl.h.in, NCCL 2.x; stable since
// 2.0): ncclComm_t is an opaque pointer, ncclResult_t / ncclDataType_t / ncclRedOp_t are C enums (int-sized),
// cudaStream_t is an opaque pointer.
using NcclComm = struct NcclCommOpaque*;  // ncclComm_t
using NcclResult = int;                   // ncclResult_t; ncclSuccess = 0
constexpr NcclResult kNcclSuccess = 0;
constexpr int kNcclFloat16 = 6;   // ncclFloat16 (ncclHalf)
constexpr int kNcclFloat32 = 7;   // ncclFloat32 (ncclFloat)
constexpr int kNcclBfloat16 = 9;  // ncclBfloat16
constexpr int kNcclSum = 0;       // ncclRedOp_t ncclSum

struct NcclLibrary {
    std::shared_ptr<void> handle;  // dlclose'd when the last communicator is gone
    // ncclCommInitAll(ncclComm_t* comm, int ndev, const int* devlist)
    NcclResult (*commInitAll)(NcclComm*, int, const int*) = nullptr;
    NcclResult (*commDestroy)(NcclComm) = nullptr;
    // ncclAllReduce(sendbuff, recvbuff, count, datatype, op, comm, stream)
    NcclResult (*allReduce)(const void*, void*, size_t, int, int, NcclComm, void*) = nullptr;
    // ncclSend(sendbuff, count, datatype, peer, comm, stream) / ncclRecv(recvbuff, ...)
    NcclResult (*send)(const void*, size_t, int, int, NcclComm, void*) = nullptr;
    NcclResult (*recv)(void*, size_t, int, int, NcclComm, void*) = nullptr;
    NcclResult (*groupStart)() = nullptr;
    NcclResult (*groupEnd)() = nullptr;
    const char* (*errorString)(NcclResult) = nullptr;

    void check(NcclResult r, std::string_view what) const {
        SV_CHECK(r == kNcclSuccess, "NCCL ", what, " failed: ", errorString ? errorString(r) : "?", " (code ",
                 r, ")");
    }
};

template <class Fn>
void bind(const NcclLibrary& lib, Fn& fn, const char* symbol, const std::string& library) {
    void* p = dlsym(lib.handle.get(), symbol);
    SV_CHECK(p != nullptr, library, " has no ", symbol, " (NCCL 2.7 or newer is needed)");
    fn = reinterpret_cast<Fn>(p);
}

std::shared_ptr<const NcclLibrary> openNccl(const std::string& library) {
    void* h = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        const char* why = dlerror();
        fail("NCCL (", library,
             ") not found: install NCCL 2 (PyTorch's nvidia-nccl-cu12 wheel or NVIDIA's libnccl2 package) "
             "and put "
             "the folder holding ",
             library, " on LD_LIBRARY_PATH; multi-GPU sampling needs it (",
             why != nullptr ? why : "dlopen failed", ")");
    }
    auto lib = std::make_shared<NcclLibrary>();
    lib->handle = std::shared_ptr<void>(h, [](void* p) { dlclose(p); });
    bind(*lib, lib->commInitAll, "ncclCommInitAll", library);
    bind(*lib, lib->commDestroy, "ncclCommDestroy", library);
    bind(*lib, lib->allReduce, "ncclAllReduce", library);
    bind(*lib, lib->send, "ncclSend", library);
    bind(*lib, lib->recv, "ncclRecv", library);
    bind(*lib, lib->groupStart, "ncclGroupStart", library);
    bind(*lib, lib->groupEnd, "ncclGroupEnd", library);
    bind(*lib, lib->errorString, "ncclGetErrorString", library);
    return lib;
}

void* engineStream(int device) {
#ifdef SV_WITH_CUDA
    return cuda::nativeStream(device);
#else
    fail("multi-GPU sampling: this build has no CUDA backend (device ", device, ")");
#endif
}

int ncclType(DType dt) {
    switch (dt) {
        case DType::F32:
            return kNcclFloat32;
        case DType::BF16:
            return kNcclBfloat16;
        case DType::F16:
            return kNcclFloat16;
        default:
            fail("NCCL communicator: unsupported dtype ", dtypeName(dt));
    }
}

class NcclCommunicator final : public Communicator {
  public:
    NcclCommunicator(std::shared_ptr<const NcclLibrary> lib, NcclComm comm, int rank, int size, int device)
        : lib_(std::move(lib)), comm_(comm), rank_(rank), size_(size), device_(device) {}
    ~NcclCommunicator() override { lib_->commDestroy(comm_); }
    int rank() const override { return rank_; }
    int size() const override { return size_; }

    void allReduceSum(Tensor& t) override {
        checkTensor(t, "allReduceSum");
        SV_ASSERT_MSG(t.dtype() == DType::F32, "allReduceSum: F32, got ", t.describe());
        lib_->check(lib_->allReduce(t.rawData(), t.rawData(), size_t(t.numel()), kNcclFloat32, kNcclSum,
                                    comm_, engineStream(device_)),
                    "ncclAllReduce");
    }

    void sendRecv(const Tensor& send, int to, Tensor& recv, int from) override {
        void* stream = engineStream(device_);
        lib_->check(lib_->groupStart(), "ncclGroupStart");
        if (to != kNone) {
            checkTensor(send, "sendRecv (send)");
            lib_->check(
                lib_->send(send.rawData(), size_t(send.numel()), ncclType(send.dtype()), to, comm_, stream),
                "ncclSend");
        }
        if (from != kNone) {
            checkTensor(recv, "sendRecv (recv)");
            lib_->check(
                lib_->recv(recv.rawData(), size_t(recv.numel()), ncclType(recv.dtype()), from, comm_, stream),
                "ncclRecv");
        }
        lib_->check(lib_->groupEnd(), "ncclGroupEnd");
    }

    void barrier() override {
        Tensor one = Tensor::zeros({1}, DType::F32, Device::cuda(device_));
        allReduceSum(one);
        device::synchronize(Device::cuda(device_));
    }

  private:
    void checkTensor(const Tensor& t, std::string_view what) const {
        SV_ASSERT_MSG(t.defined() && t.isContiguous() && t.device() == Device::cuda(device_), what, ": rank ",
                      rank_, " (cuda:", device_, ") got ",
                      t.defined() ? t.describe() : std::string("nothing"));
    }

    std::shared_ptr<const NcclLibrary> lib_;
    NcclComm comm_;
    int rank_, size_, device_;
};

}  // namespace

std::vector<std::unique_ptr<Communicator>> makeNcclCommunicators(std::span<const int> devices,
                                                                 const std::string& library) {
    const std::shared_ptr<const NcclLibrary> lib = openNccl(library);
    SV_CHECK(device::compiled(Device::Kind::Cuda), "multi-GPU sampling: this build has no CUDA backend");
    SV_CHECK(!devices.empty(), "multi-GPU sampling: no devices given");
    const int available = device::count(Device::Kind::Cuda);
    std::vector<int> seen;
    for (int d : devices) {
        SV_CHECK(d >= 0 && d < available, "multi-GPU sampling: no CUDA device ", d, " (this machine has ",
                 available, ")");
        SV_CHECK(std::find(seen.begin(), seen.end(), d) == seen.end(), "multi-GPU sampling: device ", d,
                 " is listed twice");
        seen.push_back(d);
    }
    // NVLink SHARP / multicast stays off (the device machines' notes; it needs cuMulticastCreate). The
    // environment is how NCCL reads its settings, and it reads them at its first initialisation.
    setenv("NCCL_NVLS_ENABLE", "0", 1);
    for (int d : devices) engineStream(d);  // creates each device's context before NCCL binds to it
    std::vector<NcclComm> comms(devices.size(), nullptr);
    lib->check(lib->commInitAll(comms.data(), int(devices.size()), devices.data()), "ncclCommInitAll");
    std::vector<std::unique_ptr<Communicator>> out;
    for (size_t i = 0; i < devices.size(); ++i)
        out.push_back(
            std::make_unique<NcclCommunicator>(lib, comms[i], int(i), int(devices.size()), devices[i]));
    return out;
}

}  // namespace sv
