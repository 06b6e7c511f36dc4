// Resize ops: PIL Lanczos and torch bilinear against golden files made by PIL / PyTorch (tests/data/resize,
// see its README), plus hand-derived cases and properties.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "io/safetensors.h"
#include "ops/resize.h"
#include "support/reference.h"

namespace fs = std::filesystem;

namespace sv {
namespace {

std::vector<fs::path> fixtures(const std::string& prefix) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(fs::path(SV_TEST_DATA_DIR) / "resize")) {
        const std::string name = e.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".safetensors") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

Tensor u8(std::initializer_list<uint8_t> v, Shape shape) {
    Tensor t = Tensor::empty(std::move(shape), DType::U8);
    std::memcpy(t.data<uint8_t>(), v.begin(), v.size());
    return t;
}

TEST(ResizeLanczosPil, MatchesPilBitExactly) {
    const auto files = fixtures("lanczos_");
    ASSERT_GE(files.size(), 5u) << "golden files missing under tests/data/resize";
    for (const auto& f : files) {
        SCOPED_TRACE(f.filename().string());
        auto st = SafetensorsFile::open(f);
        Tensor in = st->get("input"), ref = st->get("output");
        Tensor out = ops::resizeLanczosPil(in, ref.dim(1), ref.dim(0));
        ASSERT_EQ(out.shape(), ref.shape());
        const uint8_t* a = out.data<uint8_t>();
        const uint8_t* b = ref.data<uint8_t>();
        int64_t mismatches = 0;
        for (int64_t i = 0; i < ref.numel(); ++i) mismatches += a[i] != b[i];
        EXPECT_EQ(mismatches, 0) << "of " << ref.numel() << " values";
    }
}

TEST(ResizeLanczosPil, HalvingTwoPixelsRoundsHalfUp) {
    // 2 -> 1: the two taps are lanczos(±0.25) normalised to exactly 1/2 each (2^21 in fixed point), so the
    // result is floor((a + b + 1) / 2).
    Tensor img = u8({10, 20, 30, 13, 21, 200}, {1, 2, 3});
    Tensor out = ops::resizeLanczosPil(img, 1, 1);
    ASSERT_EQ(out.shape(), (Shape{1, 1, 3}));
    EXPECT_EQ(out.data<uint8_t>()[0], 12);   // (10 + 13 + 1) / 2
    EXPECT_EQ(out.data<uint8_t>()[1], 21);   // (20 + 21 + 1) / 2
    EXPECT_EQ(out.data<uint8_t>()[2], 115);  // (30 + 200 + 1) / 2
}

TEST(ResizeLanczosPil, SameSizeIsAnExactCopy) {
    Tensor img = u8({1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252}, {2, 2, 3});
    Tensor out = ops::resizeLanczosPil(img, 2, 2);
    ASSERT_EQ(out.shape(), img.shape());
    EXPECT_EQ(std::memcmp(out.data<uint8_t>(), img.data<uint8_t>(), 12), 0);
    EXPECT_NE(out.data<uint8_t>(), img.data<uint8_t>());  // a copy, not a view
}

TEST(ResizeLanczosPil, ConstantImagesStayConstant) {
    for (uint8_t value : {uint8_t(0), uint8_t(1), uint8_t(128), uint8_t(254), uint8_t(255)}) {
        Tensor img = Tensor::full({13, 29, 3}, float(value), DType::U8);
        for (auto [w, h] : {std::pair<int64_t, int64_t>{7, 5}, {40, 31}, {29, 2}, {1, 1}}) {
            Tensor out = ops::resizeLanczosPil(img, w, h);
            for (int64_t i = 0; i < out.numel(); ++i)
                ASSERT_EQ(out.data<uint8_t>()[i], value) << w << "x" << h << " at " << i;
        }
    }
}

TEST(ResizeLanczosPil, RejectsBadInput) {
    Tensor img = Tensor::zeros({4, 4, 3}, DType::U8);
    EXPECT_THROW(ops::resizeLanczosPil(img, 0, 4), Error);
    EXPECT_THROW(ops::resizeLanczosPil(img, 4, -1), Error);
    EXPECT_THROW(ops::resizeLanczosPil(Tensor::zeros({4, 4, 3}, DType::F32), 2, 2), Error);
    EXPECT_THROW(ops::resizeLanczosPil(Tensor::zeros({4, 4, 4}, DType::U8), 2, 2), Error);
    EXPECT_THROW(ops::resizeLanczosPil(Tensor::zeros({4, 4}, DType::U8), 2, 2), Error);
}

TEST(ResizeBilinear, MatchesTorchInterpolate) {
    const auto files = fixtures("bilinear_");
    ASSERT_GE(files.size(), 3u) << "golden files missing under tests/data/resize";
    for (const auto& f : files) {
        SCOPED_TRACE(f.filename().string());
        auto st = SafetensorsFile::open(f);
        Tensor in = st->get("input"), ref = st->get("output");
        // Files made by a multi-threaded run carry no "kernel" key: Auto picks what PyTorch picked there.
        auto kernel = ops::TorchBilinearKernel::Auto;
        if (auto it = st->metadata().find("kernel"); it != st->metadata().end())
            kernel = it->second == "channels_last" ? ops::TorchBilinearKernel::ChannelsLast
                                                   : ops::TorchBilinearKernel::NonSeparable;
        Tensor out = ops::resizeBilinear(in, ref.dim(-2), ref.dim(-1), kernel);
        ASSERT_EQ(out.shape(), ref.shape());
        const float* a = out.data<float>();
        const float* b = ref.data<float>();
        int64_t mismatches = 0;
        float worst = 0;
        for (int64_t i = 0; i < ref.numel(); ++i) {
            mismatches += a[i] != b[i];
            worst = std::max(worst, std::abs(a[i] - b[i]));
        }
        EXPECT_EQ(mismatches, 0) << "of " << ref.numel() << " values; max abs difference " << worst;
    }
}

TEST(ResizeBilinear, KernelsDifferOnlyByRounding) {
    auto st = SafetensorsFile::open(fs::path(SV_TEST_DATA_DIR) / "resize" /
                                    "bilinear_generic_1x3x24x40_to_50x90.safetensors");
    Tensor in = st->get("input");
    Tensor a = ops::resizeBilinear(in, 50, 90, ops::TorchBilinearKernel::NonSeparable);
    Tensor b = ops::resizeBilinear(in, 50, 90, ops::TorchBilinearKernel::ChannelsLast);
    Tensor c = ops::resizeBilinear(in, 50, 90);  // Auto: 50 + 90 > 128 -> NonSeparable
    EXPECT_EQ(a.toFloatVector(), c.toFloatVector());
    const auto d = test::compare(a, b);
    EXPECT_GT(d.maxAbs, 0.0);   // the two kernels really are different computations...
    EXPECT_LE(d.maxAbs, 1e-6);  // ...of the same interpolation
}

TEST(ResizeBilinear, HandDerivedUpscaleByTwo) {
    // 2x2 -> 4x4, scale 0.5: source positions 0 (clamped from -0.25), 0.25, 0.75, and 1.25 (clamped
    // neighbour), so each axis uses weights {1, 0}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.25 on the same
    // pixel}.
    Tensor x = Tensor::fromFloats(std::vector<float>{0, 1, 2, 3}, {1, 2, 2});
    Tensor y = ops::resizeBilinear(x, 4, 4);
    ASSERT_EQ(y.shape(), (Shape{1, 4, 4}));
    const float axis[4] = {0.0f, 0.25f, 0.75f, 1.0f};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            EXPECT_FLOAT_EQ(y.data<float>()[i * 4 + j], 2 * axis[i] + axis[j]) << i << "," << j;
}

TEST(ResizeBilinear, HandDerivedDownscaleByTwoAveragesPairs) {
    // 4 -> 2, scale 2, no antialias: source positions 0.5 and 2.5, i.e. the mean of pixel pairs (not a 4-wide
    // box).
    Tensor x = Tensor::fromFloats(std::vector<float>{1, 3, 10, 30, 2, 6, 20, 60}, {1, 1, 2, 4});
    Tensor y = ops::resizeBilinear(x, 2, 2);
    ASSERT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
    EXPECT_FLOAT_EQ(y.data<float>()[0], 2.0f);
    EXPECT_FLOAT_EQ(y.data<float>()[1], 20.0f);
    EXPECT_FLOAT_EQ(y.data<float>()[2], 4.0f);
    EXPECT_FLOAT_EQ(y.data<float>()[3], 40.0f);
}

TEST(ResizeBilinear, SameSizeIsIdentityAndConstantsStayConstant) {
    std::vector<float> v(2 * 3 * 5 * 7);
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(i % 17) * 0.37f - 2.0f;
    Tensor x = Tensor::fromFloats(v, {2, 3, 5, 7});
    Tensor y = ops::resizeBilinear(x, 5, 7);
    EXPECT_EQ(y.toFloatVector(), v);
    // Non-contiguous input (a permuted view) gives the same result as its contiguous copy.
    Tensor xt = x.transpose(2, 3);
    EXPECT_EQ(ops::resizeBilinear(xt, 9, 4).toFloatVector(),
              ops::resizeBilinear(xt.contiguous(), 9, 4).toFloatVector());

    Tensor c = Tensor::full({3, 6, 10}, -0.625f);
    for (float f : ops::resizeBilinear(c, 13, 3).toFloatVector()) EXPECT_NEAR(f, -0.625f, 1e-6f);
}

TEST(ResizeBilinear, RejectsBadInput) {
    EXPECT_THROW(ops::resizeBilinear(Tensor::zeros({2, 2}, DType::F32), 4, 4), Error);
    EXPECT_THROW(ops::resizeBilinear(Tensor::zeros({1, 1, 2, 2}, DType::U8), 4, 4), Error);
    EXPECT_THROW(ops::resizeBilinear(Tensor::zeros({1, 2, 2}, DType::F32), 0, 4), Error);
}

}  // namespace
}  // namespace sv
