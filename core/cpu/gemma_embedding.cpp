#include "ops/gemma_embedding.h"
#include "base/parallel.h"

#ifdef SV_WITH_CUDA
#include "cuda/gemma.h"
#endif

namespace sv::ops {

Tensor gemmaEmbed(const Tensor& table, const Tensor& ids, float scale) {
#ifdef SV_WITH_CUDA
    if (table.device().isCuda()) return cuda::gemmaEmbed(table, ids, scale);
#endif
    SV_ASSERT_MSG(table.device().isCpu() && ids.device().isCpu(),
                  "gemmaEmbed: only the CPU backend is implemented");
    SV_ASSERT_MSG(table.dtype() == DType::F32 && table.rank() == 2, "gemmaEmbed: table ", table.describe());
    SV_ASSERT_MSG(ids.dtype() == DType::I64, "gemmaEmbed: ids ", ids.describe());
    const int64_t V = table.dim(0), H = table.dim(1);
    Tensor tc = table.contiguous();
    Tensor ic = ids.contiguous();
    Shape outShape = ids.shape();
    outShape.push_back(H);
    Tensor out = Tensor::empty(outShape, DType::F32);
    const float* tp = tc.data<float>();
    const int64_t* ip = ic.data<int64_t>();
    float* op = out.data<float>();
    const int64_t n = ic.numel();
    for (int64_t i = 0; i < n; ++i)
        SV_ASSERT_MSG(ip[i] >= 0 && ip[i] < V, "gemmaEmbed: id ", ip[i], " of ", V);
    parallelFor(n, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, H)), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            const float* row = tp + ip[i] * H;
            float* dst = op + i * H;
            for (int64_t h = 0; h < H; ++h) dst[h] = row[h] * scale;
        }
    });
    return out;
}

}  // namespace sv::ops
