// Host side of the implicit-GEMM causal conv (vae_conv_igemm.cuh): eligibility, the weight permutation to
// [Cout][tap][Cin] and the launch.
#include <cstdlib>
#include <cstring>

#include "cuda/kernels.cuh"
#include "cuda/profile.h"
#include "cuda/vae_conv_igemm.cuh"
#include "cuda/vae_conv_igemm.h"

namespace sv::cuda {

namespace {
constexpr int kDefaultWarps = 8;
}  // namespace

bool vaeConvImplicitGemmApplies(DType dt, long long cin, long long kernelVolume, long long maxExtent) {
    const char* env = std::getenv("SV_VAE_CONV_IM2COL");  // "1": keep the im2col + GEMM path (benchmarks)
    if (env && std::strcmp(env, "1") == 0) return false;
    return (dt == DType::BF16 || dt == DType::F16) && cin % 8 == 0 && kernelVolume > 1 &&
           maxExtent < (1LL << 30);
}

void vaeConvImplicitGemm(const Tensor& x, const Tensor& cache, const Tensor& w, const Tensor& bias,
                         const Tensor& residual, Tensor& out, const ConvShape& s) {
    const OpScope scope("vae.conv.igemm", x.device().index);
    // [Cout, Cin, kt, kh, kw] → [Cout, kt, kh, kw, Cin]: one tap's channels contiguous (16-byte copies).
    const Tensor wp = w.permute({0, 2, 3, 4, 1}).contiguous();
    SV_ASSERT(aligned16({wp.rawData()}));
    igemm::ConvParams p{};
    p.x = x.rawData();
    p.cache = cache.defined() ? cache.rawData() : nullptr;
    p.w = wp.rawData();
    p.bias = bias.defined() ? bias.rawData() : nullptr;
    p.residual = residual.defined() ? residual.rawData() : nullptr;
    p.out = out.rawData();
    p.cin = int(x.dim(1)), p.cout = int(w.dim(0)), p.T = int(x.dim(2)),
    p.Tc = cache.defined() ? int(cache.dim(2)) : 0;
    p.H = int(x.dim(3)), p.W = int(x.dim(4));
    p.kt = int(w.dim(2)), p.kh = int(w.dim(3)), p.kw = int(w.dim(4));
    p.st = s.st, p.sh = s.sh, p.sw = s.sw, p.front = s.front, p.top = s.top, p.left = s.left;
    p.reflect = s.reflect ? 1 : 0;
    p.to = int(out.dim(2)), p.ho = int(out.dim(3)), p.wo = int(out.dim(4));
    const int B = int(x.dim(0));
    // SV_VAE_IGEMM_WARPS=4|8 picks the block shape (comparisons); the default measured best on an H100.
    const char* warpsEnv = std::getenv("SV_VAE_IGEMM_WARPS");
    const int warps = warpsEnv && std::strcmp(warpsEnv, "4") == 0   ? 4
                      : warpsEnv && std::strcmp(warpsEnv, "8") == 0 ? 8
                                                                    : kDefaultWarps;
    if (x.dtype() == DType::BF16)
        SV_CUDA_CHECK(igemm::launchCausalConv<__nv_bfloat16>(p, B, streamOf(x), true, warps));
    else
        SV_CUDA_CHECK(igemm::launchCausalConv<__half>(p, B, streamOf(x), true, warps));
}

}  // namespace sv::cuda
