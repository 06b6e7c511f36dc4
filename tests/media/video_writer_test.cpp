// VideoWriter: MP4/H.264 files that FFmpeg reads back with the promised properties, metadata round trips, and
// no file under the requested name after any failure.
#include <cmath>
#include <cstring>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "media/capabilities.h"
#include "media/video_writer.h"
#include "support/reference.h"

namespace fs = std::filesystem;

namespace sv::media {
namespace {

// A smooth moving pattern: frame f, pixel (y, x) -> RGB.
Tensor syntheticClip(int frames, int h, int w) {
    Tensor t = Tensor::empty({frames, h, w, 3}, DType::U8);
    uint8_t* p = t.data<uint8_t>();
    for (int f = 0; f < frames; ++f)
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                uint8_t* px = p + ((size_t(f) * h + y) * w + x) * 3;
                px[0] = uint8_t(40 + (x * 170) / w);
                px[1] = uint8_t(30 + (y * 180) / h);
                px[2] = uint8_t(60 + ((x + y + 4 * f) % 64) * 2);
            }
    return t;
}

std::string readBytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

size_t filesIn(const fs::path& dir) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

class VideoWriterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!haveVideoWriter()) GTEST_SKIP() << "built without FFmpeg";
        setFfmpegQuiet(true);
    }
    test::TempDir dir;
};

TEST_F(VideoWriterTest, WritesH264Mp4WithTheRequestedPropertiesAndMetadata) {
    const fs::path out = dir.path() / "clip.mp4";
    const std::string graph =
        R"({"nodes":[{"id":1,"type":"Sampler","params":{"prompt":"a \"cat\"\nnaïve ✓"}}]})";
    VideoWriterOptions opt;
    opt.metadata[kGraphMetadataKey] = graph;
    opt.metadata["title"] = "test clip";
    writeVideo(out, syntheticClip(17, 48, 64), opt);

    ASSERT_TRUE(fs::exists(out));
    EXPECT_EQ(filesIn(dir.path()), 1u) << "temporary files left behind";
    const VideoInfo info = probeVideo(out);
    EXPECT_EQ(info.codec, "h264");
    EXPECT_EQ(info.frames, 17);
    EXPECT_EQ(info.width, 64);
    EXPECT_EQ(info.height, 48);
    EXPECT_EQ(info.fpsNum, 16);
    EXPECT_EQ(info.fpsDen, 1);
    EXPECT_EQ(info.pixelFormat, "yuv420p");
    EXPECT_EQ(info.colorPrimaries, "bt709");
    EXPECT_EQ(info.colorTransfer, "bt709");
    EXPECT_EQ(info.colorSpace, "bt709");
    EXPECT_EQ(info.colorRange, "tv");

    const auto meta = readVideoMetadata(out);
    ASSERT_TRUE(meta.count(kGraphMetadataKey));
    EXPECT_EQ(meta.at(kGraphMetadataKey), graph);
    EXPECT_EQ(meta.at("title"), "test clip");

    // +faststart: the index (moov) comes before the media data (mdat).
    const std::string bytes = readBytes(out);
    const size_t moov = bytes.find("moov"), mdat = bytes.find("mdat");
    ASSERT_NE(moov, std::string::npos);
    ASSERT_NE(mdat, std::string::npos);
    EXPECT_LT(moov, mdat);
}

TEST_F(VideoWriterTest, DecodedFramesMatchTheInput) {
    const fs::path out = dir.path() / "clip.mp4";
    Tensor clip = syntheticClip(5, 48, 64);
    writeVideo(out, clip);
    Tensor back = readVideoFrames(out);
    ASSERT_EQ(back.shape(), clip.shape());
    double err = 0;
    for (int64_t i = 0; i < clip.numel(); ++i)
        err += std::abs(int(back.data<uint8_t>()[i]) - int(clip.data<uint8_t>()[i]));
    EXPECT_LT(err / double(clip.numel()), 2.5) << "mean absolute error (CRF 19 is near-transparent)";
}

TEST_F(VideoWriterTest, SolidColoursSurviveTheBt709RoundTrip) {
    // Encoded with the BT.709 matrix and decoded with the matrix the file is tagged with: a matrix/tag
    // mismatch (e.g. BT.601 coefficients under a BT.709 tag) shifts saturated colours by 10-30 levels.
    const uint8_t colours[][3] = {{255, 0, 0},     {0, 255, 0},  {0, 0, 255},
                                  {255, 255, 255}, {16, 16, 16}, {128, 128, 128}};
    const int n = int(std::size(colours));
    Tensor clip = Tensor::empty({n, 32, 32, 3}, DType::U8);
    for (int f = 0; f < n; ++f)
        for (int i = 0; i < 32 * 32; ++i)
            std::memcpy(clip.data<uint8_t>() + (size_t(f) * 1024 + i) * 3, colours[f], 3);
    const fs::path out = dir.path() / "colours.mp4";
    writeVideo(out, clip);
    Tensor back = readVideoFrames(out);
    ASSERT_EQ(back.shape(), clip.shape());
    for (int f = 0; f < n; ++f) {
        const uint8_t* px = back.data<uint8_t>() + (size_t(f) * 1024 + 16 * 32 + 16) * 3;
        for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(int(px[c]), int(colours[f][c]), 4) << "colour " << f << " channel " << c;
    }
}

TEST_F(VideoWriterTest, CustomKeysAndLargeValuesRoundTrip) {
    std::string big = "{\"blob\":\"";
    for (int i = 0; i < 300000; ++i) big += char('a' + i % 26);
    big += "\"}";
    VideoWriterOptions opt;
    opt.metadata["sanavideo_graph"] = big;  // not an iTunes key: written as an mdta key
    opt.metadata["comment"] = "hello";
    opt.preset = "ultrafast";
    const fs::path out = dir.path() / "meta.mp4";
    writeVideo(out, syntheticClip(2, 16, 16), opt);
    const auto meta = readVideoMetadata(out);
    ASSERT_TRUE(meta.count("sanavideo_graph"));
    EXPECT_EQ(meta.at("sanavideo_graph"), big);
    EXPECT_EQ(meta.at("comment"), "hello");
}

TEST_F(VideoWriterTest, FrameRateAndFloatFrames) {
    VideoWriterOptions opt;
    opt.fpsNum = 24000;
    opt.fpsDen = 1001;
    opt.crf = 30;
    const fs::path out = dir.path() / "ntsc.mp4";
    VideoWriter w(out, 16, 8, opt);
    for (int f = 0; f < 3; ++f) w.push(Tensor::full({8, 16, 3}, 0.25f * float(f)));
    EXPECT_EQ(w.framesWritten(), 3);
    w.finish();
    const VideoInfo info = probeVideo(out);
    EXPECT_EQ(info.frames, 3);
    EXPECT_EQ(info.fpsNum, 24000);
    EXPECT_EQ(info.fpsDen, 1001);
    Tensor back = readVideoFrames(out);
    EXPECT_NEAR(back.data<uint8_t>()[2 * 8 * 16 * 3], 128, 3);  // 0.5 -> 127.5 -> 128 (half to even)
}

TEST_F(VideoWriterTest, OddSizesArePaddedOrRejected) {
    const fs::path padded = dir.path() / "odd.mp4";
    VideoWriter w(padded, 33, 17);
    EXPECT_EQ(w.encodedWidth(), 34);
    EXPECT_EQ(w.encodedHeight(), 18);
    w.push(syntheticClip(1, 17, 33).select(0, 0));
    w.finish();
    const VideoInfo info = probeVideo(padded);
    EXPECT_EQ(info.width, 34);
    EXPECT_EQ(info.height, 18);

    VideoWriterOptions strict;
    strict.oddSize = VideoWriterOptions::OddSize::Error;
    try {
        VideoWriter bad(dir.path() / "odd2.mp4", 33, 17, strict);
        FAIL() << "odd size accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("even"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("odd2.mp4"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir.path() / "odd2.mp4"));
}

TEST_F(VideoWriterTest, AFailedWriteLeavesNoFile) {
    const fs::path out = dir.path() / "fail.mp4";
    {
        VideoWriter w(out, 32, 32);
        w.push(syntheticClip(1, 32, 32).select(0, 0));
        EXPECT_THROW(w.push(syntheticClip(1, 16, 32).select(0, 0)), Error);  // wrong size
        EXPECT_FALSE(fs::exists(out));
    }  // destroyed without finish(): discarded
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(filesIn(dir.path()), 0u) << "temporary file left behind";

    // An exception thrown by the caller between frames: same.
    try {
        VideoWriter w(out, 32, 32);
        w.push(syntheticClip(1, 32, 32).select(0, 0));
        throw std::runtime_error("cancelled by the user");
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(filesIn(dir.path()), 0u);

    // An existing file under the target name survives a failed rewrite untouched.
    { std::ofstream(out) << "previous"; }
    {
        VideoWriter w(out, 32, 32);
        w.push(syntheticClip(1, 32, 32).select(0, 0));
        w.cancel();
        EXPECT_THROW(w.push(syntheticClip(1, 32, 32).select(0, 0)), Error);
    }
    EXPECT_EQ(readBytes(out), "previous");
    EXPECT_EQ(filesIn(dir.path()), 1u);

    // No frames at all: finish() refuses, nothing is written.
    const fs::path empty = dir.path() / "empty.mp4";
    {
        VideoWriter w(empty, 32, 32);
        EXPECT_THROW(w.finish(), Error);
    }
    EXPECT_FALSE(fs::exists(empty));
}

TEST_F(VideoWriterTest, ErrorsNameTheFile) {
    const auto expectError = [](auto&& fn, const std::string& needle) {
        try {
            fn();
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    expectError([&] { VideoWriter(dir.path() / "missing" / "x.mp4", 16, 16); }, "missing");
    expectError([&] { VideoWriter(dir.path(), 16, 16); }, dir.path().string());
    VideoWriterOptions badCrf;
    badCrf.crf = 60;
    expectError([&] { VideoWriter(dir.path() / "crf.mp4", 16, 16, badCrf); }, "crf.mp4");
    VideoWriterOptions badPreset;
    badPreset.preset = "warp-speed";
    expectError([&] { VideoWriter(dir.path() / "preset.mp4", 16, 16, badPreset); }, "preset.mp4");
    expectError([&] { VideoWriter(dir.path() / "size.mp4", 0, 16); }, "size.mp4");
    EXPECT_EQ(filesIn(dir.path()), 0u);

    const fs::path garbage = dir.path() / "garbage.mp4";
    { std::ofstream(garbage) << "this is not a video file at all, just text"; }
    expectError([&] { readVideoMetadata(garbage); }, "garbage.mp4");
    expectError([&] { probeVideo(garbage); }, "garbage.mp4");
    expectError([&] { probeVideo(dir.path() / "nope.mp4"); }, "nope.mp4");
    const fs::path textPng = dir.path() / "text.png";  // FFmpeg's image2 demuxer opens this by its extension
    { std::ofstream(textPng) << "not a png"; }
    expectError([&] { probeVideo(textPng); }, "text.png");
    expectError([&] { readVideoMetadata(dir.path() / "nope.mp4"); }, "nope.mp4");
}

}  // namespace
}  // namespace sv::media
