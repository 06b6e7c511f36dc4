// The LTX-2 VAE on the GPU: every CUDA kernel it added (channel norms, space↔depth shuffles, reflect padding
// and trailing replicate frames in the implicit-GEMM and the im2col conv) against the CPU op at edge shapes
// in F32, BF16 and F16, and the AutoencoderKLLTX2Video fixtures (SV_REFERENCE_DIR honoured) in fp32 and bf16.
// Skipped without a GPU.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backend/device.h"
#include "models/ltx2_vae.h"
#include "op_scopes.h"
#include "ops/ltx_vae.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;
using ops::ltx::ChannelNorm;
using ops::ltx::SpatialPadding;
using ops::ltx::SubpixelOrder;

class CudaLtx2 : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!device::available(Device::cuda())) GTEST_SKIP() << "no CUDA GPU present";
    }
};

Tensor gaussian(Shape shape, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d;
    std::vector<float> v(size_t(shapeNumel(shape)));
    for (auto& x : v) x = scale * d(rng);
    return Tensor::fromFloats(v, std::move(shape));
}

// An operand for each side: the GPU copy in dt, and the CPU F32 copy of the same (rounded) values.
struct Pair {
    Tensor gpu, cpu;
};
Pair both(const Tensor& t, DType dt) {
    if (!t.defined()) return {};
    return {t.to(dt).to(Device::cuda()), t.to(dt).to(DType::F32)};
}

double tolFor(DType dt) {
    return dt == DType::F32 ? 1e-5 : 1e-2;
}

// Widths of the real decoder (128 … 1024 channels) and odd ones; single locations; 5D and 3D tensors.
TEST_F(CudaLtx2, ChannelNorms) {
    const Shape shapes[] = {{1, 128, 2, 6, 10}, {2, 1024, 1, 3, 5}, {1, 24, 3, 1, 1}, {3, 40, 7}};
    uint32_t seed = 10;
    for (const Shape& s : shapes) {
        SCOPED_TRACE(shapeToString(s));
        const Tensor x = gaussian(s, seed++, 2.0f);
        const Tensor w = gaussian({s[1]}, seed++, 0.2f), b = gaussian({s[1]}, seed++, 0.1f);
        for (DType dt : {DType::F32, DType::BF16, DType::F16}) {
            SCOPED_TRACE(std::string(dtypeName(dt)));
            const Pair X = both(x, dt);
            for (bool silu : {false, true}) {
                SV_EXPECT_CLOSE(ops::ltx::channelNorm(X.gpu, ChannelNorm::Rms, 1e-8f, {}, {}, silu),
                                ops::ltx::channelNorm(X.cpu, ChannelNorm::Rms, 1e-8f, {}, {}, silu),
                                tolFor(dt));
                SV_EXPECT_CLOSE(ops::ltx::channelNorm(X.gpu, ChannelNorm::Layer, 1e-6f, w, b, silu),
                                ops::ltx::channelNorm(X.cpu, ChannelNorm::Layer, 1e-6f, w, b, silu),
                                tolFor(dt));
            }
        }
    }
}

// Pure data movement: bit-exact (up to the residual sum's one bf16 rounding). The upsampler's (2,2,2) with
// the first frame dropped and the residual tiled 4× (upscale factor 2), the unpatchify (1,4,4) in (t, w, h)
// order, factor-1 tiling (8×), the downsamplers' group means and the patchify.
TEST_F(CudaLtx2, SpaceDepthShuffles) {
    struct D2S {
        Shape y;
        ops::ltx::Factors f;
        SubpixelOrder order;
        int drop;
        int64_t residualChannels;  // 0: none
    };
    const D2S d2s[] = {{{2, 64, 3, 4, 5}, {2, 2, 2}, SubpixelOrder::THW, 1, 16},
                       {{1, 48, 2, 3, 7}, {1, 4, 4}, SubpixelOrder::TWH, 0, 0},
                       {{1, 64, 2, 2, 3}, {2, 2, 2}, SubpixelOrder::THW, 1, 64},
                       {{1, 24, 3, 5, 2}, {2, 1, 1}, SubpixelOrder::THW, 1, 12},
                       {{1, 32, 1, 2, 2}, {1, 2, 2}, SubpixelOrder::THW, 0, 8}};
    uint32_t seed = 40;
    for (const D2S& c : d2s) {
        SCOPED_TRACE(concat("depthToSpace ", shapeToString(c.y)));
        const Tensor y = gaussian(c.y, seed++);
        Shape rs = c.y;
        rs[1] = c.residualChannels;
        const Tensor r = c.residualChannels ? gaussian(rs, seed++) : Tensor();
        for (DType dt : {DType::F32, DType::BF16}) {
            const Pair Y = both(y, dt), R = both(r, dt);
            const Tensor g = ops::ltx::depthToSpace(Y.gpu, c.f, c.order, c.drop, R.gpu);
            const Tensor h = ops::ltx::depthToSpace(Y.cpu, c.f, c.order, c.drop, R.cpu);
            if (dt == DType::F32 || !r.defined())
                EXPECT_EQ(test::compare(g, h).maxAbs, 0.0);
            else
                SV_EXPECT_CLOSE(g, h, 1e-2);  // the residual sum is rounded to bf16 once on the GPU
        }
    }
    struct S2D {
        Shape x;
        ops::ltx::Factors f;
        SubpixelOrder order;
        int group;
    };
    const S2D s2d[] = {{{2, 3, 1, 8, 12}, {1, 4, 4}, SubpixelOrder::TWH, 1},
                       {{1, 16, 2, 6, 4}, {1, 2, 2}, SubpixelOrder::THW, 2},
                       {{1, 32, 4, 3, 5}, {2, 1, 1}, SubpixelOrder::THW, 1},
                       {{1, 24, 2, 4, 2}, {2, 2, 2}, SubpixelOrder::THW, 4}};
    for (const S2D& c : s2d) {
        SCOPED_TRACE(concat("spaceToDepth ", shapeToString(c.x), " group ", c.group));
        const Tensor x = gaussian(c.x, seed++);
        const Tensor ref = ops::ltx::spaceToDepth(x, c.f, c.order, c.group);
        const Tensor res = gaussian(ref.shape(), seed++);
        for (DType dt : {DType::F32, DType::BF16}) {
            const Pair X = both(x, dt), R = both(res, dt);
            SV_EXPECT_CLOSE(ops::ltx::spaceToDepth(X.gpu, c.f, c.order, c.group, R.gpu),
                            ops::ltx::spaceToDepth(X.cpu, c.f, c.order, c.group, R.cpu), tolFor(dt));
        }
    }
}

// ltx::conv3d at the decoder's edges: reflect padding on the vectorised gather (W % 8 == 0: both frame edges
// inside a 16-byte vector) and on the per-position gather (odd W), H = 2 (the smallest reflectable frame),
// the flush call (one frame plus one trailing replicate), caches of 0–2 frames, the encoder's zero padding,
// conv_in / conv_out widths (48, 128) and channel counts off the 128-tile. 16-bit runs must take the
// implicit-GEMM kernel; F32 the im2col path (both read the padding and the repeated frames in place).
TEST_F(CudaLtx2, ConvReflectAndReplicateEdges) {
    struct Case {
        int64_t cin, cout, B, T, Tc, H, W;
        int back;
        SpatialPadding pad;
        bool residual;
    };
    const Case cases[] = {
        {128, 128, 1, 2, 2, 6, 16, 0, SpatialPadding::Reflect, true},
        {128, 128, 1, 1, 1, 5, 8, 1, SpatialPadding::Reflect, true},
        {256, 1024, 1, 3, 1, 4, 24, 0, SpatialPadding::Reflect, false},
        {128, 48, 2, 2, 2, 7, 13, 1, SpatialPadding::Reflect, false},
        {200, 136, 1, 1, 2, 2, 2, 0, SpatialPadding::Reflect, true},
        {64, 64, 1, 1, 0, 3, 9, 2, SpatialPadding::Reflect, false},
        {48, 128, 1, 3, 2, 8, 16, 0, SpatialPadding::Zeros, false},
        {32, 8, 1, 2, 1, 3, 5, 1, SpatialPadding::Zeros, true},
    };
    uint32_t seed = 80;
    for (const Case& c : cases) {
        SCOPED_TRACE(concat(c.cin, " -> ", c.cout, ", B ", c.B, ", T ", c.T, " + ", c.Tc, " cached + ",
                            c.back, " back, ", c.H, "x", c.W,
                            c.pad == SpatialPadding::Reflect ? " reflect" : " zeros"));
        const Tensor x = gaussian({c.B, c.cin, c.T, c.H, c.W}, seed++);
        const Tensor cache = c.Tc ? gaussian({c.B, c.cin, c.Tc, c.H, c.W}, seed++) : Tensor();
        const Tensor w = gaussian({c.cout, c.cin, 3, 3, 3}, seed++, 1.0f / std::sqrt(float(c.cin * 27)));
        const Tensor b = gaussian({c.cout}, seed++, 0.1f);
        const Tensor ref0 = ops::ltx::conv3d(x, cache, c.back, w, b, c.pad);
        const Tensor res = c.residual ? gaussian(ref0.shape(), seed++) : Tensor();
        for (DType dt : {DType::F32, DType::BF16, DType::F16}) {
            SCOPED_TRACE(std::string(dtypeName(dt)));
            const Pair X = both(x, dt), C = both(cache, dt), W = both(w, dt), Bi = both(b, dt),
                       R = both(res, dt);
            Tensor out;
            const auto names = test::convOpsRun(
                [&] { out = ops::ltx::conv3d(X.gpu, C.gpu, c.back, W.gpu, Bi.gpu, c.pad, R.gpu); });
            EXPECT_EQ(out.dtype(), dt);
            EXPECT_EQ(test::ran(names, "vae.conv.igemm"), dt != DType::F32);
            EXPECT_EQ(test::ran(names, "vae.conv.im2col"), dt == DType::F32);
            SV_EXPECT_CLOSE(out, ops::ltx::conv3d(X.cpu, C.cpu, c.back, W.cpu, Bi.cpu, c.pad, R.cpu),
                            tolFor(dt));
        }
    }
}

// Observer outputs per module, concatenated along time on the CPU.
Tensor joined(const std::vector<Tensor>& parts) {
    std::vector<Tensor> host;
    for (const Tensor& p : parts) host.push_back(p.to(Device::cpu()).to(DType::F32));
    return concatFrames(host);
}

void ltxFixtures(DType dt, double tol) {
    const auto folders = test::referenceFoldersOfClass("", "AutoencoderKLLTX2Video");
    if (folders.empty()) GTEST_SKIP() << "no AutoencoderKLLTX2Video fixture under " << test::referenceDir();
    LoadOptions lo;
    lo.device = Device::cuda();
    lo.dtype = dt;
    for (const fs::path& folder : folders) {
        SCOPED_TRACE(folder.string());
        std::printf("[%s, %s]\n", folder.filename().string().c_str(), std::string(dtypeName(dt)).c_str());
        const Ltx2Vae vae = Ltx2Vae::load(folder, VaeParts::Both, lo);
        const auto io = test::openIo(folder);
        std::map<std::string, std::vector<Tensor>> hooks;
        const VaeObserver obs = [&](std::string_view n, const Tensor& t) {
            hooks[std::string(n)].push_back(t.clone());
        };
        if (io->contains("encode.input")) {
            const VaePosterior post = vae.encode(io->get("encode.input"), obs);
            SV_EXPECT_CLOSE(post.mean, io->get("encode.mean"), tol);
            SV_EXPECT_CLOSE(post.logvar, io->get("encode.logvar"), tol);
        }
        SV_EXPECT_CLOSE(vae.decode(io->get("decode.latents"), obs), io->get("decode.output"), tol);
        for (const TensorInfo& info : io->tensors()) {
            if (!info.name.starts_with("hook.") || info.name.ends_with(".ncalls")) continue;
            std::string module = info.name.substr(5);  // hook.[encode.|decode.]<module>
            for (const char* pass : {"encode.", "decode."})
                if (module.starts_with(pass)) module = module.substr(std::string_view(pass).size());
            ASSERT_TRUE(hooks.count(module)) << "no hook " << module;
            const test::Diff d = test::compare(joined(hooks.at(module)), io->get(info.name));
            std::printf("  %-28s rel %.3g\n", module.c_str(), d.relL2);
            EXPECT_LE(d.relL2, tol) << module;
        }
    }
}

TEST_F(CudaLtx2, VaeFixturesFp32) {
    ltxFixtures(DType::F32, 1e-5);
}

TEST_F(CudaLtx2, VaeFixturesBf16) {
    ltxFixtures(DType::BF16, 5e-2);
}

}  // namespace
}  // namespace sv
