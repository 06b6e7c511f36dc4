// The NCCL Communicator (parallel/communicator.h) for several GPUs of one process, one thread per GPU.
// libnccl.so.2 is opened at run time (dlopen), so the engine builds and runs without NCCL and without its
// header; only a multi-GPU run needs it (PyTorch's `nvidia-nccl-cu12` wheel ships it, as does NVIDIA's
// libnccl2 package). NVLink multicast (NVLS) is switched off before the communicators are made.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "parallel/communicator.h"

namespace sv {

/// The library opened by default: the NCCL 2 runtime's soname.
inline constexpr const char* kNcclLibrary = "libnccl.so.2";

/// One communicator per CUDA device of `devices` (a clique made by ncclCommInitAll; element i is rank i and
/// works on Device::cuda(devices[i]) from one thread). Collectives run on the engine's stream of each
/// device. Sets NCCL_NVLS_ENABLE=0 in the environment first. `library` names the shared object to open
/// (tests pass a missing one). Throws sv::Error when the library cannot be opened ("NCCL (libnccl.so.2) not
/// found: ..."), when this build has no CUDA backend, for a bad or repeated device list, or when NCCL fails.
std::vector<std::unique_ptr<Communicator>> makeNcclCommunicators(std::span<const int> devices,
                                                                 const std::string& library = kNcclLibrary);

}  // namespace sv
