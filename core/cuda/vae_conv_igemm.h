// The implicit-GEMM tensor-core path of the CUDA causal 3D conv (BF16/F16; see vae_conv_igemm.cuh).
#pragma once

#include "base/tensor.h"

namespace sv::cuda {

struct ConvShape {
    int st = 1, sh = 1, sw = 1;        // strides
    int front = 0, top = 0, left = 0;  // zero padding before the first frame / row / column
    bool reflect = false;              // rows/columns outside the frame mirror the inside (no zeros)
};

/// True when the implicit-GEMM kernel handles this conv: 16-bit activations, Cin a multiple of 8, a kernel of
/// more than one tap (1×1×1 convs stay one plain GEMM), extents that fit 32-bit indices. SV_VAE_CONV_IM2COL=1
/// in the environment disables it (the im2col + cuBLASLt path, for comparisons).
bool vaeConvImplicitGemmApplies(DType dt, long long cin, long long kernelVolume, long long maxExtent);

/// out [B, Cout, To, Ho, Wo] = conv(x, cache, w) + bias + residual, rounded once. Contiguous tensors of one
/// dtype on one device; cache may be undefined, bias [Cout] and residual (out's shape) too. Output frames
/// that reach past the last input frame read the last frame again (the LTX-2 decoder's trailing replicate
/// pad).
void vaeConvImplicitGemm(const Tensor& x, const Tensor& cache, const Tensor& w, const Tensor& bias,
                         const Tensor& residual, Tensor& out, const ConvShape& s);

}  // namespace sv::cuda
