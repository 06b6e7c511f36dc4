#include "cpu/gemm.h"

#include <algorithm>
#include <vector>

#include "base/parallel.h"

namespace sv::cpu {

namespace {

constexpr int kLanes = 8;

// One dot product with kLanes partial sums (vectorisable without -ffast-math), combined pairwise.
inline float dot(const float* a, const float* b, int64_t K) {
    float acc[kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= K; k += kLanes)
        for (int l = 0; l < kLanes; ++l) acc[l] += a[k + l] * b[k + l];
    float tail = 0.0f;
    for (; k < K; ++k) tail += a[k] * b[k];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    return s + tail;
}

// 4 rows of A against 4 rows of B: 16 dot products sharing loads.
inline void dot4x4(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t K, float out[4][4]) {
    float acc[4][4][kLanes] = {};
    int64_t k = 0;
    for (; k + kLanes <= K; k += kLanes) {
        for (int i = 0; i < 4; ++i) {
            const float* ai = a + i * lda + k;
            for (int j = 0; j < 4; ++j) {
                const float* bj = b + j * ldb + k;
                for (int l = 0; l < kLanes; ++l) acc[i][j][l] += ai[l] * bj[l];
            }
        }
    }
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
            const float* s = acc[i][j];
            float tail = 0.0f;
            for (int64_t kk = k; kk < K; ++kk) tail += a[i * lda + kk] * b[j * ldb + kk];
            out[i][j] = (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))) + tail;
        }
    }
}

}  // namespace

void gemmNT(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
            float* C, int64_t ldc, float beta) {
    if (M <= 0 || N <= 0) return;
    constexpr int64_t kBlockN = 64;  // a block of B rows stays in cache while A rows stream
    const int64_t rowBlocks = (M + 3) / 4;
    const int64_t colBlocks = (N + kBlockN - 1) / kBlockN;
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, K * kBlockN / 64));
    parallelFor(rowBlocks * colBlocks, grain, [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
            const int64_t cb = t / rowBlocks, rb = t % rowBlocks;
            const int64_t i0 = rb * 4, j0 = cb * kBlockN;
            const int64_t i1 = std::min(M, i0 + 4), j1 = std::min(N, j0 + kBlockN);
            for (int64_t j = j0; j < j1; j += 4) {
                if (i1 - i0 == 4 && j + 4 <= j1) {
                    float out[4][4];
                    dot4x4(A + i0 * lda, lda, B + j * ldb, ldb, K, out);
                    for (int i = 0; i < 4; ++i)
                        for (int jj = 0; jj < 4; ++jj) {
                            float* c = C + (i0 + i) * ldc + j + jj;
                            *c = beta == 0.0f ? out[i][jj] : out[i][jj] + beta * *c;
                        }
                } else {
                    for (int64_t i = i0; i < i1; ++i)
                        for (int64_t jj = j; jj < std::min(j + 4, j1); ++jj) {
                            float v = dot(A + i * lda, B + jj * ldb, K);
                            float* c = C + i * ldc + jj;
                            *c = beta == 0.0f ? v : v + beta * *c;
                        }
                }
            }
        }
    });
}

void gemmNN(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
            float* C, int64_t ldc, float beta) {
    std::vector<float> bt(size_t(N * K));
    for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n) bt[size_t(n * K + k)] = B[k * ldb + n];
    gemmNT(M, N, K, A, lda, bt.data(), K, C, ldc, beta);
}

}  // namespace sv::cpu
