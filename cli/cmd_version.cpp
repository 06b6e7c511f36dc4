#include <cstdio>

#include "backend/device.h"
#include "commands.h"

namespace sv::cli {

int runVersion(Args) {
    std::printf("sanavideo %s\n", SV_VERSION_STRING);
    if (device::compiled(Device::Kind::Cuda))
        std::printf("CUDA backend: compiled in, %s\n",
                    device::count(Device::Kind::Cuda) > 0 ? "GPU available" : "no GPU found");
    else
        std::printf("CUDA backend: not compiled in (CPU-only build)\n");
    return 0;
}

}  // namespace sv::cli
