#include <cstdio>

#include "base/device_hooks.h"
#include "commands.h"

namespace sv::cli {

int runVersion(Args) {
    std::printf("sanavideo %s\n", SV_VERSION_STRING);
#ifdef SV_WITH_CUDA
    std::printf("CUDA backend: compiled in, %s\n",
                detail::cudaAvailable() ? "GPU available" : "no GPU found");
#else
    std::printf("CUDA backend: not compiled in (CPU-only build)\n");
#endif
    return 0;
}

}  // namespace sv::cli
