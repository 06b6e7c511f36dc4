// Every CUDA op against its CPU op on random inputs at the real model widths (2240 channels, 20 heads of 112,
// thousands of tokens; Gemma's 2304 / 8 × 256; the VAE's 96–384 channels), in fp32 and bf16. The CPU
// reference gets the same (bf16-rounded) inputs, so the bf16 error is the GPU path's own rounding. Skipped
// without a GPU.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "op_scopes.h"
#include "ops/dit_attention.h"
#include "ops/dit_conv.h"
#include "ops/dit_norm.h"
#include "ops/elementwise.h"
#include "ops/gemma_attention.h"
#include "ops/gemma_embedding.h"
#include "ops/gemma_mlp.h"
#include "ops/gemma_norm.h"
#include "ops/lincomb.h"
#include "ops/resize.h"
#include "ops/vae_attention.h"
#include "ops/vae_conv.h"
#include "ops/vae_norm.h"
#include "ops/vae_resample.h"
#include "support/reference.h"

namespace sv {
namespace {

class CudaOps : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    }
};

Tensor randn(Shape shape, uint32_t seed, float scale = 1.0f, float offset = 0.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d;
    std::vector<float> v(size_t(shapeNumel(shape)));
    for (auto& x : v) x = offset + scale * d(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

// The value a dtype can hold, back in F32 on the CPU (the CPU reference's input).
Tensor rounded(const Tensor& t, DType dt) {
    return t.to(dt).to(DType::F32);
}
Tensor onGpu(const Tensor& t, DType dt) {
    return t.to(dt).to(Device::cuda());
}

double tolFor(DType dt, double f32 = 2e-5, double bf16 = 1e-2) {
    return dt == DType::F32 ? f32 : bf16;
}

const DType kDtypes[] = {DType::F32, DType::BF16};

// Runs fn(dt) for both dtypes with a trace naming it.
void forDtypes(const std::function<void(DType)>& fn) {
    for (DType dt : kDtypes) {
        SCOPED_TRACE(std::string(dtypeName(dt)));
        std::printf("  [%s]\n", std::string(dtypeName(dt)).c_str());
        fn(dt);
    }
}

TEST_F(CudaOps, Elementwise) {
    const Tensor a = randn({2, 700, 2240}, 1), b = randn({1, 700, 1}, 2), c = randn({2, 700, 2240}, 3);
    forDtypes([&](DType dt) {
        const Tensor ra = rounded(a, dt), rb = rounded(b, dt), rc = rounded(c, dt);
        const Tensor ga = onGpu(a, dt), gb = onGpu(b, dt), gc = onGpu(c, dt);
        SV_EXPECT_CLOSE(ops::add(ga, gb), ops::add(ra, rb), tolFor(dt));
        SV_EXPECT_CLOSE(ops::sub(ga, gc), ops::sub(ra, rc), tolFor(dt));
        SV_EXPECT_CLOSE(ops::mul(ga.permute({1, 0, 2}), gc.permute({1, 0, 2})),
                        ops::mul(ra.permute({1, 0, 2}), rc.permute({1, 0, 2})), tolFor(dt));
        SV_EXPECT_CLOSE(ops::scale(ga, 0.37f), ops::scale(ra, 0.37f), tolFor(dt));
        SV_EXPECT_CLOSE(ops::silu(ga), ops::silu(ra), tolFor(dt));
        SV_EXPECT_CLOSE(ops::geluTanh(ga), ops::geluTanh(ra), tolFor(dt));
        SV_EXPECT_CLOSE(ops::relu(ga), ops::relu(ra), tolFor(dt));
    });
}

TEST_F(CudaOps, DitNormsAndModulation) {
    const int64_t B = 2, N = 1500, D = 2240;
    const Tensor x = randn({B, N, D}, 10, 2.0f, 0.3f), w = randn({D}, 11, 0.2f, 1.0f);
    const Tensor mod = randn({3, 6, D}, 12, 0.3f), branch = randn({B, N, D}, 13);
    std::vector<int64_t> perToken(size_t(B * N));
    for (int64_t i = 0; i < B * N; ++i) perToken[size_t(i)] = (i % N) < 520 ? 2 : i / N;  // frame 0 → row 2
    const Tensor idxTok = Tensor::fromInts(perToken, {B * N}).to(DType::I32);
    const Tensor idxSample = Tensor::fromInts(std::vector<int64_t>{1, 1}, {B}).to(DType::I32);
    forDtypes([&](DType dt) {
        const Tensor rx = rounded(x, dt), rw = rounded(w, dt), rm = rounded(mod, dt),
                     rb = rounded(branch, dt);
        const Tensor gx = onGpu(x, dt), gw = onGpu(w, dt), gm = onGpu(mod, dt), gb = onGpu(branch, dt);
        SV_EXPECT_CLOSE(ops::dit::rmsNorm(gx, gw, 1e-5f), ops::dit::rmsNorm(rx, rw, 1e-5f), tolFor(dt));
        for (const Tensor& idx : {Tensor(), idxSample, idxTok}) {
            const Tensor cpuRows = idx.defined() ? rm : rm.slice(0, 0, B);
            const Tensor gpuRows = idx.defined() ? gm : gm.slice(0, 0, B);
            const Tensor gIdx = idx.defined() ? idx.to(Device::cuda()) : Tensor();
            SV_EXPECT_CLOSE(
                ops::dit::layerNormModulate(gx, gpuRows.select(1, 0), gpuRows.select(1, 1), gIdx, 1e-6f),
                ops::dit::layerNormModulate(rx, cpuRows.select(1, 0), cpuRows.select(1, 1), idx, 1e-6f),
                tolFor(dt));
            SV_EXPECT_CLOSE(ops::dit::gatedResidual(gx, gb, gpuRows.select(1, 2), gIdx),
                            ops::dit::gatedResidual(rx, rb, cpuRows.select(1, 2), idx), tolFor(dt));
        }
        SV_EXPECT_CLOSE(ops::dit::gatherRows(gm.select(1, 4), idxTok.to(Device::cuda())),
                        ops::dit::gatherRows(rm.select(1, 4).contiguous(), idxTok), tolFor(dt, 0.0, 0.0));
    });
}

TEST_F(CudaOps, DitRopeAndLinearAttention) {
    const std::array<int64_t, 3> grid = {3, 20, 26};  // 1560 tokens
    const int64_t B = 2, N = grid[0] * grid[1] * grid[2], heads = 20, d = 112, C = heads * d;
    const auto rope = ops::dit::ropeTables({40, 36, 36}, 1024, 10000.0, grid);
    const auto ropeGpu = ops::dit::ropeTables({40, 36, 36}, 1024, 10000.0, grid, Device::cuda());
    // The GPU expansion of the tables is the CPU's, bit for bit.
    EXPECT_EQ(test::compare(ropeGpu.cos, rope.cos).maxAbs, 0.0);
    EXPECT_EQ(test::compare(ropeGpu.sin, rope.sin).maxAbs, 0.0);
    const Tensor q = randn({B, N, C}, 20), k = randn({B, N, C}, 21), v = randn({B, N, C}, 22);
    forDtypes([&](DType dt) {
        const Tensor rq = rounded(q, dt), rk = rounded(k, dt), rv = rounded(v, dt);
        const Tensor gq = onGpu(q, dt), gk = onGpu(k, dt), gv = onGpu(v, dt);
        SV_EXPECT_CLOSE(ops::dit::applyRope(gq, ropeGpu), ops::dit::applyRope(rq, rope), tolFor(dt));
        SV_EXPECT_CLOSE(ops::dit::reluLinearAttention(gq, gk, gv, int(heads), ropeGpu),
                        ops::dit::reluLinearAttention(rq, rk, rv, int(heads), rope), tolFor(dt, 5e-5));
    });
    // A head dim that is not a multiple of 16 and a token count that is not a multiple of the tiles.
    const std::array<int64_t, 3> g2 = {2, 3, 7};
    const auto r2 = ops::dit::ropeTables({12, 10, 10}, 64, 10000.0, g2);
    const auto r2g = ops::dit::ropeTables({12, 10, 10}, 64, 10000.0, g2, Device::cuda());
    const Tensor q2 = randn({2, 42, 64}, 23), k2 = randn({2, 42, 64}, 24), v2 = randn({2, 42, 64}, 25);
    SV_EXPECT_CLOSE(ops::dit::reluLinearAttention(onGpu(q2, DType::F32), onGpu(k2, DType::F32),
                                                  onGpu(v2, DType::F32), 2, r2g),
                    ops::dit::reluLinearAttention(q2, k2, v2, 2, r2), 2e-5);
}

TEST_F(CudaOps, DitCrossAttention) {
    const int64_t B = 2, N = 1560, L = 300, heads = 20, C = 2240;
    const Tensor q = randn({B, N, C}, 30), k = randn({B, L, C}, 31), v = randn({B, L, C}, 32);
    std::vector<int64_t> mask(size_t(B * L), 1);
    for (int64_t l = 120; l < L; ++l) mask[size_t(L + l)] = 0;  // sample 1: 120 tokens
    for (int64_t l = 2; l < L; ++l) mask[size_t(l)] = 0;        // sample 0: 2 tokens
    const Tensor bias = ops::dit::attentionBiasFromMask(Tensor::fromInts(mask, {B, L}));
    forDtypes([&](DType dt) {
        const Tensor rq = rounded(q, dt), rk = rounded(k, dt), rv = rounded(v, dt);
        const Tensor gq = onGpu(q, dt), gk = onGpu(k, dt), gv = onGpu(v, dt);
        SV_EXPECT_CLOSE(ops::dit::crossAttention(gq, gk, gv, int(heads), bias.to(Device::cuda())),
                        ops::dit::crossAttention(rq, rk, rv, int(heads), bias), tolFor(dt, 5e-5, 1.5e-2));
        SV_EXPECT_CLOSE(ops::dit::crossAttention(gq, gk, gv, int(heads), Tensor()),
                        ops::dit::crossAttention(rq, rk, rv, int(heads), Tensor()), tolFor(dt, 5e-5, 1.5e-2));
    });
}

// True when the call ran the GEMM → softmax → GEMM fallback rather than the fused kernel (the fallback alone
// times a "dit.crossAttention.softmax+pv" scope).
bool crossAttentionFellBack(const std::function<void()>& call) {
    device::setOpProfiling(true);
    (void)device::takeOpProfile(Device::cuda());
    call();
    bool fellBack = false;
    for (const auto& t : device::takeOpProfile(Device::cuda()))
        fellBack |= t.name == "dit.crossAttention.softmax+pv";
    device::setOpProfiling(false);
    return fellBack;
}

// The fused 16-bit kernel's edges: query counts that are not a multiple of its 128-row tile, key counts that
// are not a multiple of its 64-key chunk (1, 77, 300, 513), head dims from 8 to 256 (padded to 16, 32, 64,
// 112, 128, 256 inside), samples whose keys are all masked but one (also one that lies past the first chunk),
// no bias, and F16. A head dim past 256 takes the GEMM fallback, which must agree too.
TEST_F(CudaOps, DitCrossAttentionFusedEdges) {
    struct Case {
        int64_t N, L, heads, d;
        int64_t keep0, keep1;  // sample 0 keeps key keep0 only (−1: all); sample 1 keeps its first keep1 keys
        bool fused;
    };
    const Case cases[] = {
        {333, 77, 20, 112, 3, 50, true},   {130, 513, 4, 112, 400, 513, true},
        {200, 300, 4, 16, 0, 120, true},   {257, 300, 3, 64, 299, 1, true},
        {100, 65, 2, 40, -1, 64, true},    {70, 1, 2, 8, -1, 1, true},
        {150, 130, 2, 256, 129, 77, true}, {90, 200, 2, 128, -1, 200, true},
        {60, 33, 2, 264, 5, 20, false},
    };
    uint32_t seed = 300;
    for (const Case& c : cases) {
        const int64_t B = 2, C = c.heads * c.d;
        SCOPED_TRACE(concat("N ", c.N, ", L ", c.L, ", heads ", c.heads, ", head dim ", c.d));
        const Tensor q = randn({B, c.N, C}, seed++), k = randn({B, c.L, C}, seed++),
                     v = randn({B, c.L, C}, seed++);
        std::vector<int64_t> mask(size_t(B * c.L), 0);
        for (int64_t l = 0; l < c.L; ++l) {
            mask[size_t(l)] = c.keep0 < 0 || l == c.keep0;
            mask[size_t(c.L + l)] = l < c.keep1;
        }
        const Tensor bias = ops::dit::attentionBiasFromMask(Tensor::fromInts(mask, {B, c.L}));
        for (DType dt : {DType::BF16, DType::F16}) {
            SCOPED_TRACE(std::string(dtypeName(dt)));
            const Tensor rq = rounded(q, dt), rk = rounded(k, dt), rv = rounded(v, dt);
            const Tensor gq = onGpu(q, dt), gk = onGpu(k, dt), gv = onGpu(v, dt);
            const double tol = dt == DType::BF16 ? 1.5e-2 : 3e-3;
            Tensor out;
            EXPECT_EQ(crossAttentionFellBack([&] {
                          out = ops::dit::crossAttention(gq, gk, gv, int(c.heads), bias.to(Device::cuda()));
                      }),
                      !c.fused);
            SV_EXPECT_CLOSE(out, ops::dit::crossAttention(rq, rk, rv, int(c.heads), bias), tol);
            SV_EXPECT_CLOSE(ops::dit::crossAttention(gq, gk, gv, int(c.heads), Tensor()),
                            ops::dit::crossAttention(rq, rk, rv, int(c.heads), Tensor()), tol);
        }
    }
}

TEST_F(CudaOps, DitConvs) {
    const int64_t S = 6, H = 20, W = 26, C2 = 2 * 1344;
    const Tensor x = randn({S, H, W, C2}, 40), w = randn({C2, 1, 3, 3}, 41, 0.3f), b = randn({C2}, 42, 0.1f);
    const int64_t B = 2, F = 3, P = 64, D = 2240;
    const Tensor t = randn({B, F, P, D}, 43), wt = randn({D, D, 3, 1}, 44, 1.0f / std::sqrt(3.0f * D));
    forDtypes([&](DType dt) {
        SV_EXPECT_CLOSE(ops::dit::depthwiseConv3x3(onGpu(x, dt), onGpu(w, dt), onGpu(b, dt)),
                        ops::dit::depthwiseConv3x3(rounded(x, dt), rounded(w, dt), rounded(b, dt)),
                        tolFor(dt));
        SV_EXPECT_CLOSE(ops::dit::depthwiseConv3x3(onGpu(x, dt), onGpu(w, dt), Tensor()),
                        ops::dit::depthwiseConv3x3(rounded(x, dt), rounded(w, dt), Tensor()), tolFor(dt));
        SV_EXPECT_CLOSE(ops::dit::gluSilu(onGpu(x, dt)), ops::dit::gluSilu(rounded(x, dt)), tolFor(dt));
        SV_EXPECT_CLOSE(ops::dit::siluDepthwiseGlu(onGpu(x, dt), onGpu(w, dt), onGpu(b, dt)),
                        ops::dit::siluDepthwiseGlu(rounded(x, dt), rounded(w, dt), rounded(b, dt)),
                        tolFor(dt));
        // A height that is not a multiple of the row band, and no bias.
        SV_EXPECT_CLOSE(
            ops::dit::siluDepthwiseGlu(onGpu(x.slice(1, 0, 11), dt), onGpu(w, dt), Tensor()),
            ops::dit::siluDepthwiseGlu(rounded(x.slice(1, 0, 11).contiguous(), dt), rounded(w, dt), Tensor()),
            tolFor(dt));
        SV_EXPECT_CLOSE(ops::dit::temporalConv3(onGpu(t, dt), onGpu(wt, dt)),
                        ops::dit::temporalConv3(rounded(t, dt), rounded(wt, dt)), tolFor(dt));
    });
    // One frame: only the centre tap has a source frame.
    SV_EXPECT_CLOSE(ops::dit::temporalConv3(onGpu(t.slice(1, 0, 1), DType::F32), onGpu(wt, DType::F32)),
                    ops::dit::temporalConv3(t.slice(1, 0, 1).contiguous(), wt), 2e-5);
}

// The fused SiLU → depthwise → GLU kernel's edges: single rows/columns, widths past one column tile, channel
// counts that fill no whole chunk (12) or no 4-channel vector (13: the one-channel path), the model's width.
TEST_F(CudaOps, DitSiluDepthwiseGluEdges) {
    struct Case {
        int64_t S, H, W, C;
    };
    const Case cases[] = {{2, 1, 1, 16},   {1, 1, 9, 24}, {1, 7, 1, 24},  {2, 3, 53, 32},
                          {1, 4, 130, 16}, {2, 5, 6, 12}, {1, 6, 11, 13}, {1, 3, 5, 5600}};
    uint32_t seed = 70;
    for (const Case& k : cases) {
        const Tensor x = randn({k.S, k.H, k.W, 2 * k.C}, seed++, 2.0f),
                     w = randn({2 * k.C, 1, 3, 3}, seed++, 0.3f), b = randn({2 * k.C}, seed++, 0.1f);
        forDtypes([&](DType dt) {
            std::printf("S=%lld H=%lld W=%lld C=%lld\n", (long long)k.S, (long long)k.H, (long long)k.W,
                        (long long)k.C);
            SV_EXPECT_CLOSE(ops::dit::siluDepthwiseGlu(onGpu(x, dt), onGpu(w, dt), onGpu(b, dt)),
                            ops::dit::siluDepthwiseGlu(rounded(x, dt), rounded(w, dt), rounded(b, dt)),
                            tolFor(dt));
        });
    }
}

TEST_F(CudaOps, GemmaOps) {
    const int64_t B = 2, L = 300, Hq = 8, Hkv = 4, D = 256, Hd = 2304;
    const Tensor x = randn({B, L, Hd}, 50, 3.0f), res = randn({B, L, Hd}, 51), w = randn({Hd}, 52, 0.3f);
    const Tensor q = randn({B, L, Hq, D}, 53), k = randn({B, L, Hkv, D}, 54), v = randn({B, L, Hkv, D}, 55);
    std::vector<int64_t> mask(size_t(B * L), 1);
    for (int64_t l = 200; l < L; ++l) mask[size_t(L + l)] = 0;
    const Tensor keyMask = Tensor::fromInts(mask, {B, L});
    const auto rot = ops::gemmaRotaryTables(L, D, 10000.0);
    const ops::GemmaRotary rotGpu{rot.cos.to(Device::cuda()), rot.sin.to(Device::cuda())};
    const Tensor table = randn({1000, Hd}, 56, 0.05f);
    std::vector<int64_t> idv(size_t(B * L));
    for (size_t i = 0; i < idv.size(); ++i) idv[i] = int64_t((i * 7919) % 1000);
    const Tensor ids = Tensor::fromInts(idv, {B, L});
    const Tensor gw = randn({1024, Hd}, 57, 1.0f / 48.0f), uw = randn({1024, Hd}, 58, 1.0f / 48.0f),
                 dw = randn({Hd, 1024}, 59, 1.0f / 32.0f);
    forDtypes([&](DType dt) {
        SV_EXPECT_CLOSE(ops::gemmaRmsNorm(onGpu(x, dt), onGpu(w, dt), 1e-6),
                        ops::gemmaRmsNorm(rounded(x, dt), rounded(w, dt), 1e-6), tolFor(dt));
        SV_EXPECT_CLOSE(ops::gemmaNormResidual(onGpu(res, dt), onGpu(x, dt), onGpu(w, dt), 1e-6),
                        ops::gemmaNormResidual(rounded(res, dt), rounded(x, dt), rounded(w, dt), 1e-6),
                        tolFor(dt));
        SV_EXPECT_CLOSE(ops::gemmaApplyRotary(onGpu(q, dt), rotGpu),
                        ops::gemmaApplyRotary(rounded(q, dt), rot), tolFor(dt));
        for (int variant = 0; variant < 3; ++variant) {
            ops::GemmaAttentionParams p;
            p.scale = 1.0f / 16.0f;
            if (variant >= 1) p.softcap = 50.0f;
            if (variant == 2) p.slidingWindow = 64;
            SCOPED_TRACE(variant);
            SV_EXPECT_CLOSE(ops::gemmaAttention(onGpu(q, dt), onGpu(k, dt), onGpu(v, dt), keyMask, p),
                            ops::gemmaAttention(rounded(q, dt), rounded(k, dt), rounded(v, dt), keyMask, p),
                            tolFor(dt, 5e-5, 1.5e-2));
        }
        SV_EXPECT_CLOSE(ops::gemmaEmbed(onGpu(table, dt), ids, 48.0f),
                        ops::gemmaEmbed(rounded(table, dt), ids, 48.0f), tolFor(dt));
        SV_EXPECT_CLOSE(ops::geluTanhGate(onGpu(x, dt), onGpu(res, dt)),
                        ops::geluTanhGate(rounded(x, dt), rounded(res, dt)), tolFor(dt));
        SV_EXPECT_CLOSE(ops::gemmaMlp(onGpu(x, dt), onGpu(gw, dt), onGpu(uw, dt), onGpu(dw, dt)),
                        ops::gemmaMlp(rounded(x, dt), rounded(gw, dt), rounded(uw, dt), rounded(dw, dt)),
                        tolFor(dt, 5e-5, 1.5e-2));
    });
}

TEST_F(CudaOps, VaeConvsNormsAttentionResample) {
    const Tensor x = randn({1, 96, 2, 60, 52}, 60), cache = randn({1, 96, 2, 60, 52}, 61);
    const Tensor w = randn({96, 96, 3, 3, 3}, 62, 1.0f / std::sqrt(96.0f * 27.0f)),
                 b = randn({96}, 63, 0.05f);
    const Tensor res = randn({1, 96, 2, 60, 52}, 64);
    const Tensor w2 = randn({96, 96, 3, 3}, 65, 1.0f / std::sqrt(96.0f * 9.0f));
    const Tensor wp = randn({192, 96, 1, 1, 1}, 66, 0.1f), wt = randn({96, 96, 3, 1, 1}, 67, 0.1f);
    const Tensor g = randn({96, 1, 1, 1}, 68, 0.2f, 1.0f);
    const Tensor qkv = randn({1, 3 * 384, 1, 30, 26}, 69);
    forDtypes([&](DType dt) {
        const auto G = [&](const Tensor& t) { return onGpu(t, dt); };
        const auto R = [&](const Tensor& t) { return rounded(t, dt); };
        for (int tc : {0, 1, 2}) {
            SCOPED_TRACE(tc);
            const Tensor c = cache.slice(2, 0, tc);
            const ops::ConvPad3d pad{2 - tc, 1, 1, 1, 1};
            SV_EXPECT_CLOSE(ops::causalConv3d(G(x), tc ? G(c) : Tensor(), G(w), G(b), pad, 1, 1, 1, G(res)),
                            ops::causalConv3d(R(x), tc ? R(c) : Tensor(), R(w), R(b), pad, 1, 1, 1, R(res)),
                            tolFor(dt));
        }
        // The temporal downsampler: stride 2 in time, one cached frame, no padding.
        SV_EXPECT_CLOSE(ops::causalConv3d(G(x), G(cache.slice(2, 0, 1)), G(wt), G(b), ops::ConvPad3d{}, 2),
                        ops::causalConv3d(R(x), R(cache.slice(2, 0, 1)), R(wt), R(b), ops::ConvPad3d{}, 2),
                        tolFor(dt));
        SV_EXPECT_CLOSE(ops::frameConv2d(G(x), G(w2), G(b), ops::ConvPad3d{0, 0, 1, 0, 1}, 2, 2),
                        ops::frameConv2d(R(x), R(w2), R(b), ops::ConvPad3d{0, 0, 1, 0, 1}, 2, 2), tolFor(dt));
        SV_EXPECT_CLOSE(ops::pointwiseConv(G(x), G(wp), Tensor()), ops::pointwiseConv(R(x), R(wp), Tensor()),
                        tolFor(dt));
        SV_EXPECT_CLOSE(ops::wanRmsNorm(G(x), G(g), true), ops::wanRmsNorm(R(x), R(g), true), tolFor(dt));
        SV_EXPECT_CLOSE(ops::wanRmsNorm(G(x), G(g), false), ops::wanRmsNorm(R(x), R(g), false), tolFor(dt));
        SV_EXPECT_CLOSE(ops::vaeFrameAttention(G(qkv)), ops::vaeFrameAttention(R(qkv)),
                        tolFor(dt, 5e-5, 1.5e-2));
        SV_EXPECT_CLOSE(ops::upsampleNearest2x(G(x)), ops::upsampleNearest2x(R(x)), tolFor(dt, 0.0, 0.0));
        SV_EXPECT_CLOSE(ops::interleaveTimeHalves(G(x)), ops::interleaveTimeHalves(R(x)),
                        tolFor(dt, 0.0, 0.0));
        SV_EXPECT_CLOSE(ops::clampValues(G(x), -1.0f, 1.0f), ops::clampValues(R(x), -1.0f, 1.0f),
                        tolFor(dt, 0.0, 0.0));
        const Tensor mean = randn({96}, 70), inv = randn({96}, 71, 0.1f, 1.0f);
        SV_EXPECT_CLOSE(ops::normalizeLatents(G(x), mean, inv), ops::normalizeLatents(R(x), mean, inv),
                        tolFor(dt));
        SV_EXPECT_CLOSE(ops::denormalizeLatents(G(x), mean, inv), ops::denormalizeLatents(R(x), mean, inv),
                        tolFor(dt));
    });
}

// The op names the CUDA conv timed during `call` ("vae.conv.igemm": the implicit-GEMM kernel ran;
// "vae.conv.im2col": the im2col + GEMM path ran).
using test::convOpsRun;
using test::ran;

// The 16-bit implicit-GEMM conv's edges: the decoder's real widths (384 → 384 with 2 cached frames, 16 → 384
// at conv_in, 96 → 3 at conv_out, the 384 → 768 (3,1,1) time conv), widths that are not a multiple of its 128
// × 128 × 32 tile (200 → 136, W 131), H = 1, strides (the encoder's downsamplers), with and without bias and
// residual, BF16 and F16. Each must take the fast path; F32 and Cin % 8 != 0 keep im2col + GEMM.
TEST_F(CudaOps, VaeConvImplicitGemmEdges) {
    struct Case {
        int64_t cin, cout, T, Tc, H, W, kt, kh, kw;
        ops::ConvPad3d pad;
        int st, sh, sw;
        bool bias, residual;
    };
    const Case cases[] = {
        {384, 384, 2, 2, 6, 10, 3, 3, 3, {0, 1, 1, 1, 1}, 1, 1, 1, true, true},
        {384, 384, 2, 2, 5, 16, 3, 3, 3, {0, 1, 1, 1, 1}, 1, 1, 1, true, true},
        {16, 384, 1, 0, 4, 24, 3, 3, 3, {2, 1, 1, 1, 1}, 1, 1, 1, true, false},
        {96, 3, 2, 1, 7, 40, 3, 3, 3, {1, 1, 1, 1, 1}, 1, 1, 1, true, true},
        {384, 768, 2, 2, 6, 8, 3, 1, 1, {0, 0, 0, 0, 0}, 1, 1, 1, true, false},
        {384, 384, 1, 0, 5, 11, 3, 3, 3, {2, 1, 1, 1, 1}, 1, 1, 1, true, false},
        {16, 384, 1, 0, 6, 10, 3, 3, 3, {2, 1, 1, 1, 1}, 1, 1, 1, true, false},
        {96, 3, 2, 1, 9, 13, 3, 3, 3, {1, 1, 1, 1, 1}, 1, 1, 1, true, false},
        {96, 96, 2, 1, 1, 200, 3, 3, 3, {1, 1, 1, 1, 1}, 1, 1, 1, false, true},
        {384, 768, 2, 2, 6, 7, 3, 1, 1, {0, 0, 0, 0, 0}, 1, 1, 1, true, false},
        {96, 96, 3, 1, 8, 9, 3, 1, 1, {0, 0, 0, 0, 0}, 2, 1, 1, true, false},
        {192, 96, 1, 0, 10, 12, 1, 3, 3, {0, 0, 1, 0, 1}, 1, 2, 2, false, false},
        {200, 136, 1, 2, 5, 131, 3, 3, 3, {0, 1, 1, 1, 1}, 1, 1, 1, true, true},
    };
    uint32_t seed = 400;
    for (const Case& c : cases) {
        SCOPED_TRACE(concat(c.cin, " -> ", c.cout, ", T ", c.T, " + ", c.Tc, " cached, ", c.H, "x", c.W,
                            ", kernel ", c.kt, "x", c.kh, "x", c.kw, ", strides ", c.st, ",", c.sh, ",",
                            c.sw));
        const Tensor x = randn({1, c.cin, c.T, c.H, c.W}, seed++),
                     cache = c.Tc ? randn({1, c.cin, c.Tc, c.H, c.W}, seed++) : Tensor();
        const Tensor w = randn({c.cout, c.cin, c.kt, c.kh, c.kw}, seed++,
                               1.0f / std::sqrt(float(c.cin * c.kt * c.kh * c.kw)));
        const Tensor b = c.bias ? randn({c.cout}, seed++, 0.1f) : Tensor();
        const Tensor ref0 = ops::causalConv3d(x, cache, w, b, c.pad, c.st, c.sh, c.sw);
        const Tensor res = c.residual ? randn(ref0.shape(), seed++) : Tensor();
        for (DType dt : {DType::BF16, DType::F16}) {
            SCOPED_TRACE(std::string(dtypeName(dt)));
            const auto G = [&](const Tensor& t) { return t.defined() ? onGpu(t, dt) : Tensor(); };
            const auto R = [&](const Tensor& t) { return t.defined() ? rounded(t, dt) : Tensor(); };
            Tensor out;
            const auto names = convOpsRun([&] {
                out = ops::causalConv3d(G(x), G(cache), G(w), G(b), c.pad, c.st, c.sh, c.sw, G(res));
            });
            EXPECT_TRUE(ran(names, "vae.conv.igemm"));
            EXPECT_FALSE(ran(names, "vae.conv.im2col"));
            EXPECT_EQ(out.dtype(), dt);
            SV_EXPECT_CLOSE(
                out, ops::causalConv3d(R(x), R(cache), R(w), R(b), c.pad, c.st, c.sh, c.sw, R(res)), 1e-2);
        }
    }
    // F32 (exact parity mode) and Cin % 8 != 0 keep the im2col + GEMM path.
    const Tensor x = randn({1, 12, 2, 5, 6}, 450), w = randn({8, 12, 3, 3, 3}, 451, 0.1f);
    const ops::ConvPad3d pad{2, 1, 1, 1, 1};
    for (DType dt : {DType::F32, DType::BF16}) {
        const auto names = convOpsRun([&] {
            (void)ops::causalConv3d(onGpu(x, dt), Tensor(), onGpu(w, dt), Tensor(), pad);
            (void)ops::causalConv3d(onGpu(x.slice(1, 0, 8).contiguous(), dt), Tensor(),
                                    onGpu(w.slice(1, 0, 8).contiguous(), dt), Tensor(), pad);
        });
        EXPECT_TRUE(ran(names, "vae.conv.im2col")) << dtypeName(dt);
        EXPECT_EQ(ran(names, "vae.conv.igemm"), dt != DType::F32) << dtypeName(dt);
    }
}

TEST_F(CudaOps, LinearCombinationForSchedulers) {
    const Tensor a = randn({1, 16, 21, 60, 104}, 80), b = randn({1, 16, 21, 60, 104}, 81);
    const Tensor c = randn({1, 16, 22, 60, 104}, 82).slice(2, 1, 22);  // strided
    const double k[] = {1.0, -0.0123456789, 0.37};
    const Tensor gpuIn[] = {a.to(Device::cuda()), b.to(Device::cuda()).to(DType::BF16), c.to(Device::cuda())};
    const Tensor cpuRef[] = {a, b.to(DType::BF16).to(DType::F32), c};
    const Tensor out = ops::linearCombination(k, gpuIn);
    EXPECT_TRUE(out.device().isCuda());
    EXPECT_EQ(out.dtype(), DType::F32);
    // Per element in double, rounded once: bitwise the CPU's.
    EXPECT_EQ(test::compare(out, ops::linearCombination(k, cpuRef)).maxAbs, 0.0);
}

TEST_F(CudaOps, RandomFillIsNormalAndReproducible) {
    test::expectNormalFill(Device::cuda(), 1 << 20, 0.01);
}

// The CPU and CUDA fills share one counter-based generator (backend/random_bits.h): integers are identical,
// normals differ only by the devices' log/cos rounding.
TEST_F(CudaOps, RandomFillMatchesTheCpuGenerator) {
    Tensor ig = Tensor::empty({100000}, DType::I64, Device::cuda()), ic = Tensor::empty({100000}, DType::I64);
    device::fillUniformInt(ig, 11, 3, 256000);
    device::fillUniformInt(ic, 11, 3, 256000);
    EXPECT_EQ(test::compare(ig, ic).maxAbs, 0.0);
    Tensor ng = Tensor::empty({100000}, DType::F32, Device::cuda()), nc = Tensor::empty({100000}, DType::F32);
    device::fillNormal(ng, 12, 0.0f, 1.0f);
    device::fillNormal(nc, 12, 0.0f, 1.0f);
    EXPECT_LT(test::compare(ng, nc).relL2, 1e-5);
}

// What the CUDA backend does not run fails with an sv::Error naming the op, the backend and the reason.
TEST_F(CudaOps, UnsupportedCallsNameTheOpAndTheReason) {
    const Tensor q = onGpu(randn({1, 4, 2, 288}, 500), DType::BF16),
                 k = onGpu(randn({1, 4, 1, 288}, 501), DType::BF16);
    const std::string attention =
        test::errorMessage([&] { (void)ops::gemmaAttention(q, k, k, Tensor(), {}); });
    EXPECT_NE(attention.find("ops::gemmaAttention: the cuda backend"), std::string::npos) << attention;
    EXPECT_NE(attention.find("head dims up to 256"), std::string::npos) << attention;
    const std::string resize = test::errorMessage([&] {
        (void)ops::resizeBilinear(onGpu(randn({3, 4, 4}, 502), DType::F32), 8, 8);
    });
    EXPECT_NE(resize.find("has no kernel for it"), std::string::npos) << resize;
    std::vector<Tensor> many(17, onGpu(randn({8}, 503), DType::F32));
    const std::vector<double> coefs(17, 1.0);
    const std::string lc = test::errorMessage([&] { (void)ops::linearCombination(coefs, many); });
    EXPECT_NE(lc.find("at most 16 inputs"), std::string::npos) << lc;
}

}  // namespace
}  // namespace sv
