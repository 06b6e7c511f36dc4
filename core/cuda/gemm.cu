// The one cuBLASLt GEMM of the CUDA backend (gemm.cuh): RAII descriptor, layout and preference objects over a
// plain GemmSpec, fp32 compute (F32 operands: true fp32, no TF32), the bias as an epilogue when given, the
// per-device workspace and stream of cuda/context.cuh, and the chosen algorithm cached per configuration
// (shapes, dtypes, layouts, operand alignments). No algorithm for a configuration is an sv::Error naming it
// (gemm) or a false answer (tryGemm). FP8 operands take cuBLASLt's outer-vector scales (gemm.cuh).
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "cuda/context.cuh"
#include "cuda/gemm.cuh"
#include "cuda/ops.h"

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
        case DType::F8E4M3:
            return CUDA_R_8F_E4M3;
        default:
            fail("CUDA GEMM: unsupported dtype ", dtypeName(dt));
    }
}

struct MatmulDesc {
    cublasLtMatmulDesc_t h = nullptr;
    MatmulDesc() { SV_CUBLAS_CHECK(cublasLtMatmulDescCreate(&h, CUBLAS_COMPUTE_32F, CUDA_R_32F)); }
    ~MatmulDesc() { cublasLtMatmulDescDestroy(h); }
    MatmulDesc(const MatmulDesc&) = delete;
    MatmulDesc& operator=(const MatmulDesc&) = delete;
    template <class T>
    void set(cublasLtMatmulDescAttributes_t a, const T& v) {
        SV_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(h, a, &v, sizeof(v)));
    }
};

struct Layout {
    cublasLtMatrixLayout_t h = nullptr;
    Layout(DType t, int64_t rows, int64_t cols, int64_t ld, int batch, int64_t stride) {
        SV_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&h, cudaType(t), uint64_t(rows), uint64_t(cols), ld));
        if (batch > 1) {
            int32_t b = batch;
            SV_CUBLAS_CHECK(
                cublasLtMatrixLayoutSetAttribute(h, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &b, sizeof(b)));
            SV_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(h, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                                                             &stride, sizeof(stride)));
        }
    }
    ~Layout() { cublasLtMatrixLayoutDestroy(h); }
    Layout(const Layout&) = delete;
    Layout& operator=(const Layout&) = delete;
};

struct Preference {
    cublasLtMatmulPreference_t h = nullptr;
    explicit Preference(size_t workspace) {
        SV_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&h));
        SV_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(h, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                             &workspace, sizeof(workspace)));
    }
    ~Preference() { cublasLtMatmulPreferenceDestroy(h); }
    Preference(const Preference&) = delete;
    Preference& operator=(const Preference&) = delete;
};

// Largest power of two (≤ 256) dividing the address: cuBLASLt picks kernels by operand alignment.
int64_t alignment(const void* p) {
    const auto v = reinterpret_cast<uintptr_t>(p);
    if (v == 0) return 0;
    return int64_t(std::min<uintptr_t>(256, v & (~v + 1)));
}

// Heuristic results per GEMM configuration (shapes, types, layouts, alignments), so that a denoising step's
// few hundred GEMMs query cuBLASLt once per distinct shape rather than once per call.
using AlgoKey = std::tuple<int, int64_t, int64_t, int64_t, int, int, int, int, int64_t, int64_t, int64_t,
                           int64_t, int64_t, int64_t, int, int64_t, int64_t, int64_t, int64_t, int64_t, bool>;

// A configuration cuBLASLt has no algorithm for is cached too (an empty optional), so a caller that falls
// back (tryGemm) asks once.
class AlgoCache {
  public:
    bool find(const AlgoKey& key, std::optional<cublasLtMatmulAlgo_t>& algo) {
        std::lock_guard lock(mutex_);
        auto it = algos_.find(key);
        if (it == algos_.end()) return false;
        algo = it->second;
        return true;
    }
    void put(const AlgoKey& key, const std::optional<cublasLtMatmulAlgo_t>& algo) {
        std::lock_guard lock(mutex_);
        algos_[key] = algo;
    }

  private:
    std::mutex mutex_;
    std::map<AlgoKey, std::optional<cublasLtMatmulAlgo_t>> algos_;
};

AlgoCache& algoCache() {
    static AlgoCache cache;  // process lifetime, like the device contexts
    return cache;
}

#if CUBLAS_VER_MAJOR > 12 || (CUBLAS_VER_MAJOR == 12 && CUBLAS_VER_MINOR >= 9)
constexpr bool kHaveOuterScaling = true;
#else
constexpr bool kHaveOuterScaling = false;
#endif

void setScales(MatmulDesc& desc, const GemmSpec& s) {
    SV_ASSERT(s.a.dtype == DType::F8E4M3 && s.b.dtype == DType::F8E4M3 && s.a.trans && !s.b.trans);
    SV_ASSERT(kHaveOuterScaling);
#if CUBLAS_VER_MAJOR > 12 || (CUBLAS_VER_MAJOR == 12 && CUBLAS_VER_MINOR >= 9)
    const auto mode = int32_t(CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F);
    desc.set(CUBLASLT_MATMUL_DESC_A_SCALE_MODE, mode);
    desc.set(CUBLASLT_MATMUL_DESC_B_SCALE_MODE, mode);
    desc.set(CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, s.aScale);
    desc.set(CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, s.bScale);
#endif
}

AlgoKey keyOf(const GemmSpec& s, int device) {
    return {device,
            s.m,
            s.n,
            s.k,
            int(s.a.dtype),
            int(s.b.dtype),
            int(s.dType),
            int(s.a.trans) | (int(s.b.trans) << 1) | (int(s.aScale != nullptr) << 2),
            s.a.ld,
            s.b.ld,
            s.ldd,
            s.a.batchStride,
            s.b.batchStride,
            s.batchStrideD,
            s.batch,
            alignment(s.a.data),
            alignment(s.b.data),
            alignment(s.d),
            alignment(s.bias),
            int64_t(s.beta != 0.0f),
            s.bias != nullptr};
}

}  // namespace

bool haveFp8OuterScaling() {
    return kHaveOuterScaling;
}

bool tryGemm(const GemmSpec& s, int device) {
    if (s.m == 0 || s.n == 0 || s.batch == 0) return true;
    SV_ASSERT(s.k > 0);
    SV_ASSERT((s.aScale == nullptr) == (s.bScale == nullptr));
    DeviceContext& ctx = deviceContext(device);
    MatmulDesc desc;
    const cublasOperation_t ta = s.a.trans ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t tb = s.b.trans ? CUBLAS_OP_T : CUBLAS_OP_N;
    desc.set(CUBLASLT_MATMUL_DESC_TRANSA, ta);
    desc.set(CUBLASLT_MATMUL_DESC_TRANSB, tb);
    if (s.bias) {
        desc.set(CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS);
        desc.set(CUBLASLT_MATMUL_DESC_BIAS_POINTER, s.bias);
    }
    if (s.aScale) setScales(desc, s);
    // Stored shapes: op(A) is m×k, so A is stored m×k (N) or k×m (T); likewise B.
    Layout a(s.a.dtype, s.a.trans ? s.k : s.m, s.a.trans ? s.m : s.k, s.a.ld, s.batch, s.a.batchStride);
    Layout b(s.b.dtype, s.b.trans ? s.n : s.k, s.b.trans ? s.k : s.n, s.b.ld, s.batch, s.b.batchStride);
    Layout d(s.dType, s.m, s.n, s.ldd, s.batch, s.batchStrideD);
    const AlgoKey key = keyOf(s, device);
    std::optional<cublasLtMatmulAlgo_t> algo;
    if (!algoCache().find(key, algo)) {
        Preference pref(ctx.workspaceBytes);
        cublasLtMatmulHeuristicResult_t heur{};
        int found = 0;
        // An unsupported configuration may answer "not supported" rather than zero results.
        const cublasStatus_t st =
            cublasLtMatmulAlgoGetHeuristic(ctx.lt, desc.h, a.h, b.h, d.h, d.h, pref.h, 1, &heur, &found);
        if (st != CUBLAS_STATUS_NOT_SUPPORTED) SV_CUBLAS_CHECK(st);
        if (st == CUBLAS_STATUS_SUCCESS && found > 0) algo = heur.algo;
        algoCache().put(key, algo);
    }
    if (!algo) return false;
    SV_CUBLAS_CHECK(cublasLtMatmul(ctx.lt, desc.h, &s.alpha, s.a.data, a.h, s.b.data, b.h, &s.beta, s.d, d.h,
                                   s.d, d.h, &*algo, ctx.workspace, ctx.workspaceBytes, ctx.stream));
    return true;
}

void gemm(const GemmSpec& s, int device) {
    SV_CHECK(tryGemm(s, device), "cuBLASLt has no algorithm for a GEMM of ", s.m, "x", s.n, "x", s.k, " (",
             dtypeName(s.a.dtype), "·", dtypeName(s.b.dtype), "→", dtypeName(s.dType), ", batch ", s.batch,
             ")");
}

void gemmRowMajorNT(int64_t M, int64_t N, int64_t K, const void* x, int64_t ldx, const void* w, int64_t ldw,
                    void* y, int64_t ldy, DType dtype, float beta, int device) {
    // Column-major: yᵀ[N, M] = (w stored K×N)ᵀ · (x stored K×M).
    GemmSpec s;
    s.m = N, s.n = M, s.k = K;
    s.a = {w, dtype, ldw, 0, true};
    s.b = {x, dtype, ldx, 0, false};
    s.d = y, s.dType = dtype, s.ldd = ldy;
    s.beta = beta;
    gemm(s, device);
}

}  // namespace sv::cuda
