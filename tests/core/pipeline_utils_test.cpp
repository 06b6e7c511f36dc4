#include <gtest/gtest.h>

#include "io/json_util.h"
#include "pipelines/latent_preview.h"
#include "pipelines/postprocess.h"
#include "pipelines/video_geometry.h"
#include "support/reference.h"

namespace sv {
namespace {

TEST(VideoGeometry, DefaultLatentShapeAndTokens) {
    VideoGeometry g;  // 480×832×81
    validateGeometry(g);
    EXPECT_EQ(g.latentShape(1, 16), (Shape{1, 16, 21, 60, 104}));
    EXPECT_EQ(g.outputFrames(), 81);
    g.frames = 80;
    EXPECT_THROW(validateGeometry(g), Error);
}

TEST(VideoGeometry, RejectsBadSizesNamingTheParameter) {
    VideoGeometry g;
    g.height = 488;
    try {
        validateGeometry(g);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("height = 488"), std::string::npos) << e.what();
    }
    g.height = 480;
    g.width = 0;
    EXPECT_THROW(validateGeometry(g), Error);
}

TEST(VideoGeometry, BinningFollowsDiffusersIncludingItsRejectedBins) {
    EXPECT_EQ(closestBin(30, 480, 832).width, 832);
    // A square request lands on 624×624, which diffusers' %32 check rejects; we accept it (multiple of 16).
    ResolutionBin sq = closestBin(30, 512, 512);
    EXPECT_EQ(sq.height, 624);
    VideoGeometry g;
    g.height = sq.height;
    g.width = sq.width;
    EXPECT_NO_THROW(validateGeometry(g));
    EXPECT_EQ(closestBin(22, 720, 1280).height, 704);
    EXPECT_THROW(closestBin(31, 480, 832), Error);
}

TEST(Postprocess, PipelineFramesFromDecodedVideo) {
    // The t2v fixture holds decode.output ([-1,1]) and the pipeline's "np" frames.
    for (const auto& dir : test::referenceFolders("pipeline_")) {
        SCOPED_TRACE(dir.filename().string());
        auto io = test::openIo(dir);
        Tensor frames = videoToFloatFrames(io->get("decode.output"));
        SV_EXPECT_CLOSE(frames, io->get("frames"), 1e-7);
        EXPECT_EQ(test::compare(frames, io->get("frames")).maxAbs, 0.0);
    }
}

TEST(Postprocess, Uint8RoundsHalfToEven) {
    Tensor f = Tensor::fromFloats(std::vector<float>{0.5f / 255, 1.5f / 255, 2.5f / 255, 1.0f, 0.0f}, {5});
    Tensor u = floatFramesToUint8(f);
    const uint8_t* p = u.data<uint8_t>();
    EXPECT_EQ(p[0], 0);  // 0.5 → 0
    EXPECT_EQ(p[1], 2);  // 1.5 → 2
    EXPECT_EQ(p[2], 2);  // 2.5 → 2
    EXPECT_EQ(p[3], 255);
    EXPECT_EQ(p[4], 0);
}

TEST(LatentPreview, ProjectsEachLatentFrame) {
    Tensor z = Tensor::zeros({1, 16, 3, 4, 5}, DType::F32);
    Tensor rgb = latentPreviewRgb(z);
    EXPECT_EQ(rgb.shape(), (Shape{3, 4, 5, 3}));
    // Zero latents give the bias colour: (bias+1)/2·255.
    EXPECT_EQ(rgb.data<uint8_t>()[0], uint8_t(std::lround((1 - 0.1835) / 2 * 255)));
    z.data<float>()[0] = 1.0f;  // channel 0, frame 0, pixel 0 → R decreases, B increases
    Tensor rgb2 = latentPreviewRgb(z);
    EXPECT_LT(rgb2.data<uint8_t>()[0], rgb.data<uint8_t>()[0]);
    EXPECT_GT(rgb2.data<uint8_t>()[2], rgb.data<uint8_t>()[2]);
    EXPECT_THROW(latentPreviewRgb(Tensor::zeros({1, 2, 1, 2, 2}, DType::F32)), Error);
}

// LTX-2's 128 channels (no fitted factors): zero is mid-grey, channel 0 drives red only.
TEST(LatentPreview, OtherLatentSpacesAverageChannelGroups) {
    Tensor z = Tensor::zeros({1, 128, 2, 3, 4}, DType::F32);
    const Tensor grey = latentPreviewRgb(z);
    EXPECT_EQ(grey.shape(), (Shape{2, 3, 4, 3}));
    EXPECT_EQ(grey.data<uint8_t>()[0], 128);
    z.data<float>()[0] = 4.0f;
    const Tensor red = latentPreviewRgb(z);
    EXPECT_GT(red.data<uint8_t>()[0], 128);
    EXPECT_EQ(red.data<uint8_t>()[1], 128);
    EXPECT_EQ(red.data<uint8_t>()[2], 128);
}

}  // namespace
}  // namespace sv
