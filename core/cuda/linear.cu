#include "cuda/context.cuh"
#include "cuda/linear.h"

namespace sv::cuda {

namespace {

cudaDataType_t cudaType(DType dt) {
    switch (dt) {
        case DType::F32:
            return CUDA_R_32F;
        case DType::BF16:
            return CUDA_R_16BF;
        case DType::F16:
            return CUDA_R_16F;
        default:
            fail("CUDA linear: unsupported dtype ", dtypeName(dt));
    }
}

// RAII wrappers for the cuBLASLt descriptors.
struct MatmulDesc {
    cublasLtMatmulDesc_t h = nullptr;
    MatmulDesc(cublasComputeType_t c, cudaDataType_t s) {
        SV_CUBLAS_CHECK(cublasLtMatmulDescCreate(&h, c, s));
    }
    ~MatmulDesc() { cublasLtMatmulDescDestroy(h); }
    template <class T>
    void set(cublasLtMatmulDescAttributes_t a, const T& v) {
        SV_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(h, a, &v, sizeof(v)));
    }
};
struct Layout {
    cublasLtMatrixLayout_t h = nullptr;
    Layout(cudaDataType_t t, uint64_t rows, uint64_t cols, int64_t ld) {
        SV_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&h, t, rows, cols, ld));
    }
    ~Layout() { cublasLtMatrixLayoutDestroy(h); }
};
struct Preference {
    cublasLtMatmulPreference_t h = nullptr;
    explicit Preference(size_t workspace) {
        SV_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&h));
        SV_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(h, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                             &workspace, sizeof(workspace)));
    }
    ~Preference() { cublasLtMatmulPreferenceDestroy(h); }
};

}  // namespace

Tensor linear(const Tensor& xIn, const Tensor& wIn, const Tensor& biasIn) {
    SV_ASSERT(xIn.device().isCuda() && wIn.device() == xIn.device());
    SV_ASSERT_MSG(wIn.rank() == 2 && xIn.dim(-1) == wIn.dim(1), "linear: x ", xIn.describe(), " vs w ",
                  wIn.describe());
    const DType dt = xIn.dtype();
    Tensor x = xIn.contiguous();
    Tensor w = wIn.dtype() == dt ? wIn.contiguous() : wIn.to(dt).contiguous();
    const int64_t K = w.dim(1), N = w.dim(0), M = x.numel() / K;
    Shape outShape = x.shape();
    outShape.back() = N;
    Tensor y = Tensor::empty(outShape, dt, x.device());
    if (M == 0) return y;
    DeviceContext& ctx = deviceContext(x.device().index);

    const cudaDataType_t t = cudaType(dt);
    MatmulDesc desc(CUBLAS_COMPUTE_32F, CUDA_R_32F);  // fp32 accumulate; for F32 inputs no TF32
    desc.set(CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T);
    desc.set(CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N);
    Tensor bias;
    if (biasIn.defined()) {
        bias = biasIn.dtype() == dt ? biasIn.contiguous() : biasIn.to(dt).contiguous();
        SV_ASSERT(bias.numel() == N);
        desc.set(CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS);
        const void* bp = bias.rawData();
        desc.set(CUBLASLT_MATMUL_DESC_BIAS_POINTER, bp);
    }
    // Column-major view: yᵀ[N, M] = W[N, K] (stored K×N, transposed) · xᵀ (stored K×M).
    Layout a(t, uint64_t(K), uint64_t(N), K), b(t, uint64_t(K), uint64_t(M), K),
        c(t, uint64_t(N), uint64_t(M), N);
    Preference pref(ctx.workspaceBytes);
    cublasLtMatmulHeuristicResult_t heur{};
    int found = 0;
    SV_CUBLAS_CHECK(
        cublasLtMatmulAlgoGetHeuristic(ctx.lt, desc.h, a.h, b.h, c.h, c.h, pref.h, 1, &heur, &found));
    SV_CHECK(found > 0, "cuBLASLt has no algorithm for a ", dtypeName(dt), " GEMM of ", M, "x", N, "x", K);
    const float alpha = 1.0f, beta = 0.0f;
    SV_CUBLAS_CHECK(cublasLtMatmul(ctx.lt, desc.h, &alpha, w.rawData(), a.h, x.rawData(), b.h, &beta,
                                   y.rawData(), c.h, y.rawData(), c.h, &heur.algo, ctx.workspace,
                                   ctx.workspaceBytes, ctx.stream));
    return y;
}

}  // namespace sv::cuda
