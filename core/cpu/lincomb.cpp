// CPU implementation of ops::linearCombination.
#include <vector>

#include "base/parallel.h"
#include "ops/lincomb.h"

#ifdef SV_WITH_CUDA
#include "cuda/elementwise.h"
#endif

namespace sv::ops {

Tensor linearCombination(std::span<const double> coefs, std::span<const Tensor> inputs) {
    SV_ASSERT_MSG(!inputs.empty() && coefs.size() == inputs.size(), "linearCombination: ", coefs.size(),
                  " coefficients for ", inputs.size(), " inputs");
    const Tensor& first = inputs.front();
#ifdef SV_WITH_CUDA
    if (first.device().isCuda()) return cuda::linearCombination(coefs, inputs);
#endif
    SV_ASSERT_MSG(first.device().isCpu(), "linearCombination: only the CPU backend is implemented for ",
                  first.describe());
    for (const Tensor& t : inputs) {
        SV_ASSERT_MSG(t.defined(), "linearCombination: undefined input");
        SV_ASSERT_MSG(t.shape() == first.shape(), "linearCombination: shape mismatch ", t.describe(), " vs ",
                      first.describe());
        SV_ASSERT_MSG(t.device() == first.device(), "linearCombination: device mismatch");
        SV_ASSERT_MSG(isFloating(t.dtype()), "linearCombination: non-float input ", t.describe());
    }
    // Contiguous F32 views (copies only for other dtypes or strided inputs); F64 inputs are read as F64.
    std::vector<Tensor> held(inputs.size());
    std::vector<const float*> ptrs(inputs.size(), nullptr);
    std::vector<const double*> ptrs64(inputs.size(), nullptr);
    for (size_t k = 0; k < inputs.size(); ++k) {
        if (inputs[k].dtype() == DType::F64) {
            held[k] = inputs[k].contiguous();
            ptrs64[k] = held[k].data<double>();
        } else {
            held[k] = inputs[k].to(DType::F32).contiguous();
            ptrs[k] = held[k].data<float>();
        }
    }
    Tensor out = Tensor::empty(first.shape(), DType::F32);
    float* o = out.data<float>();
    const int64_t n = out.numel();
    const size_t K = inputs.size();
    parallelFor(n, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t e = begin; e < end; ++e) {
            double acc = 0.0;
            for (size_t k = 0; k < K; ++k) {
                const double v = ptrs64[k] ? ptrs64[k][e] : double(ptrs[k][e]);
                acc += coefs[k] * v;
            }
            o[e] = float(acc);
        }
    });
    return out;
}

}  // namespace sv::ops
