// Inside core: the registered backends and the dispatch of an op to one of them. Public code uses the device
// API (backend/device.h) and the ops (core/ops/) instead.
//
// Dispatch policy: an op runs on the backend of its operands' device (the first defined operand's), and only
// there. When that backend has no kernel for the call (Backend::supports() says why), the op fails with an
// sv::Error naming the op, the backend, the reason and every operand's dtype, shape and device. Nothing
// falls back to another backend behind the caller's back: a host round trip inside a denoising step would
// hide a large slowdown and change the arithmetic. A new op therefore lands with its CPU kernel, and an
// accelerator runs it once its own kernel is registered. Within one backend a kernel may pick among its own
// paths (the CUDA cross-attention's fused kernel or its GEMM path, for example).
#pragma once

#include <initializer_list>
#include <span>

#include "backend/backend.h"

namespace sv::backend {

/// The backends of this build, the CPU's first.
std::span<const Backend* const> all();
/// The backend of a device kind, or null when this build does not have it.
const Backend* find(Device::Kind kind);
/// The backend of `device`; sv::Error when this build does not have it.
const Backend& of(Device device);

/// The kernels that run `op` on `operands` (in opOperands(op) order; pointers to undefined tensors for absent
/// optional operands): those of the backend of the first defined operand's device, when it supports the
/// call. sv::Error otherwise (see the policy above).
const Kernels& kernelsFor(Op op, std::initializer_list<const Tensor*> operands);
/// The same for an op over a list of tensors (ops::linearCombination).
const Kernels& kernelsFor(Op op, std::span<const Tensor> operands);
/// The same for an op that has no tensor operands and makes its result on `device` (ops::dit::ropeTables).
const Kernels& kernelsFor(Op op, Device device);

// ---- registration hooks (one per backend; a backend absent from the build is a null pointer)
/// core/cpu/backend.cpp.
const Backend& cpuBackend();
/// core/cuda/backend.cpp, or null from core/cuda_stub/ in a CPU-only build.
const Backend* cudaBackend();

}  // namespace sv::backend
