// CPU-only builds: no CUDA backend registers, and every CUDA memory entry point reports that it is absent.
#include "backend/registry.h"
#include "base/device_hooks.h"

namespace sv {

const Backend* backend::cudaBackend() {
    return nullptr;
}

namespace detail {

namespace {
[[noreturn]] void noCuda() {
    fail(
        "this build of Sana Video Studio has no CUDA backend (rebuild with -DSV_WITH_CUDA=ON), use --device "
        "cpu");
}
}  // namespace

size_t cudaDeviceMemory(int) {
    return 0;
}
std::shared_ptr<Storage> cudaAllocate(size_t, int) {
    noCuda();
}
void cudaCopyBytes(void*, Device, const void*, Device, size_t) {
    noCuda();
}
void cudaCopyStrided(const Tensor&, const Tensor&) {
    noCuda();
}
void cudaZero(const Tensor&) {
    noCuda();
}
CudaMultiprocessors cudaMultiprocessors(int) {
    noCuda();
}

}  // namespace detail
}  // namespace sv
