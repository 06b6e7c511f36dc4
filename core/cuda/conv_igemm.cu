// Host side of the implicit-GEMM causal conv (conv_igemm.cuh): eligibility, the weight permutation to
// [Cout][tap][Cin] and the launch.
#include <algorithm>

#include "cuda/conv_igemm.cuh"
#include "cuda/conv_igemm.h"
#include "cuda/kernels.cuh"
#include "cuda/profile.h"

namespace sv::cuda {

bool implicitGemmApplies(const Options& options, DType dt, const ConvGeometry& g) {
    if (options.vaeConvIm2col) return false;
    const long long maxExtent =
        std::max({g.batch * g.cin * (g.t + g.tc) * g.h * g.w, g.batch * g.cout * g.n(), g.cout * g.k()});
    return (dt == DType::BF16 || dt == DType::F16) && g.cin % 8 == 0 && g.kt * g.kh * g.kw > 1 &&
           maxExtent < (1LL << 30);
}

void implicitGemmConv(const Tensor& x, const Tensor& cache, const Tensor& w, const Tensor& bias,
                      const Tensor& residual, Tensor& out, const ConvGeometry& g) {
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
    p.cin = int(g.cin), p.cout = int(g.cout), p.T = int(g.t), p.Tc = int(g.tc), p.H = int(g.h),
    p.W = int(g.w);
    p.kt = int(g.kt), p.kh = int(g.kh), p.kw = int(g.kw);
    p.st = int(g.st), p.sh = int(g.sh), p.sw = int(g.sw), p.front = int(g.front), p.top = int(g.top),
    p.left = int(g.left);
    p.reflect = g.reflect ? 1 : 0;
    p.to = int(g.to), p.ho = int(g.ho), p.wo = int(g.wo);
    const int warps = deviceContext(x.device().index).options.igemmWarps;
    if (x.dtype() == DType::BF16)
        SV_CUDA_CHECK(igemm::launchCausalConv<__nv_bfloat16>(p, int(g.batch), streamOf(x), true, warps));
    else
        SV_CUDA_CHECK(igemm::launchCausalConv<__half>(p, int(g.batch), streamOf(x), true, warps));
}

}  // namespace sv::cuda
