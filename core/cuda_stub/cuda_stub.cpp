// CPU-only builds: every CUDA entry point reports that the backend is absent.
#include "base/device_hooks.h"

namespace sv::detail {

namespace {
[[noreturn]] void noCuda() {
    fail(
        "this build of Sana Video Studio has no CUDA backend (rebuild with -DSV_WITH_CUDA=ON), use --device "
        "cpu");
}
}  // namespace

bool cudaAvailable() {
    return false;
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

}  // namespace sv::detail
