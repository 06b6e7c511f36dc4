// The outputs of a long render: the fragmented MP4 (a playable file of every fragment flushed so far while it
// grows; cancel and a killed process keep what was flushed) and the library-free Y4M writer (read back by
// FFmpeg).
#include <csignal>
#include <cstdlib>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "media/capabilities.h"
#include "media/video_writer.h"
#include "media/y4m_writer.h"
#include "support/reference.h"

namespace fs = std::filesystem;

namespace sv::media {
namespace {

Tensor frameOf(int f, int h, int w) {
    Tensor t = Tensor::empty({h, w, 3}, DType::U8);
    uint8_t* p = t.data<uint8_t>();
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            uint8_t* px = p + (size_t(y) * w + x) * 3;
            px[0] = uint8_t(40 + (x * 170) / w);
            px[1] = uint8_t(30 + (y * 180) / h);
            px[2] = uint8_t(60 + ((x + y + 4 * f) % 64) * 2);
        }
    return t;
}

// Mean absolute difference of a decoded frame (U8 [F, H, W, 3], frame f) to the pushed one.
double meanAbsError(const Tensor& decoded, int64_t f, const Tensor& ref) {
    const Tensor got = decoded.select(0, f).contiguous();
    double err = 0;
    for (int64_t i = 0; i < ref.numel(); ++i)
        err += std::abs(double(got.data<uint8_t>()[i]) - double(ref.data<uint8_t>()[i]));
    return err / double(ref.numel());
}

class LongVideoOutput : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!haveVideoWriter()) GTEST_SKIP() << "built without FFmpeg";
        setFfmpegQuiet(true);
    }
    test::TempDir dir_;
};

VideoWriterOptions fragmented() {
    VideoWriterOptions o;
    o.fragmented = true;
    o.metadata["comment"] = "{\"graph\": 1}";
    return o;
}

TEST_F(LongVideoOutput, FragmentedMp4PlaysWhileItGrows) {
    const fs::path path = dir_.path() / "grow.mp4";
    VideoWriter w(path, 64, 48, fragmented());
    int pushed = 0;
    for (int chunk = 0; chunk < 3; ++chunk) {
        for (int k = 0; k < (chunk == 0 ? 9 : 12); ++k) w.push(frameOf(pushed++, 48, 64));
        w.flushFragment();
        // A copy of the file as it is now is a complete, playable video of every flushed frame.
        const fs::path copy = dir_.path() / concat("snapshot", chunk, ".mp4");
        fs::copy_file(path, copy);
        EXPECT_EQ(probeVideo(copy).frames, pushed) << "after chunk " << chunk;
        EXPECT_EQ(readVideoFrames(copy).dim(0), pushed);
    }
    w.finish();
    const VideoInfo info = probeVideo(path);
    EXPECT_EQ(info.frames, 33);
    EXPECT_EQ(info.codec, "h264");
    EXPECT_EQ(readVideoMetadata(path).at("comment"), "{\"graph\": 1}");
    // The decoded frames are the pushed ones (lossy, but close).
    const Tensor back = readVideoFrames(path);
    ASSERT_EQ(back.dim(0), 33);
    EXPECT_LT(meanAbsError(back, 20, frameOf(20, 48, 64)), 4.0);
}

TEST_F(LongVideoOutput, CancelKeepsWhatWasPushed) {
    const fs::path path = dir_.path() / "cancel.mp4";
    {
        VideoWriter w(path, 32, 32, fragmented());
        for (int k = 0; k < 10; ++k) w.push(frameOf(k, 32, 32));
        w.flushFragment();
        for (int k = 10; k < 14; ++k) w.push(frameOf(k, 32, 32));
        // destroyed without finish(): an exception or Ctrl-C
    }
    EXPECT_EQ(probeVideo(path).frames, 14);
    { VideoWriter w(dir_.path() / "empty.mp4", 32, 32, fragmented()); }
    EXPECT_FALSE(fs::exists(dir_.path() / "empty.mp4"));  // nothing pushed: no file
}

TEST_F(LongVideoOutput, AKilledProcessLeavesThePlayableFragments) {
    const fs::path path = dir_.path() / "killed.mp4";
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {  // the child renders two chunks, flushes them, starts a third, and dies mid-way
        VideoWriter w(path, 32, 32, fragmented());
        for (int k = 0; k < 21; ++k) {
            w.push(frameOf(k, 32, 32));
            if (k == 8 || k == 20) w.flushFragment();
        }
        for (int k = 21; k < 25; ++k) w.push(frameOf(k, 32, 32));
        std::raise(SIGKILL);
        std::_Exit(3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_EQ(probeVideo(path).frames, 21);
    EXPECT_EQ(readVideoFrames(path).dim(0), 21);
}

TEST_F(LongVideoOutput, Y4mIsReadByFfmpeg) {
    const fs::path path = dir_.path() / "clip.y4m";
    Y4mWriter w(path, 40, 30, 16, 1);
    for (int k = 0; k < 5; ++k) w.push(frameOf(k, 30, 40));
    Tensor f32 = frameOf(5, 30, 40).to(DType::F32);
    for (int64_t i = 0; i < f32.numel(); ++i) f32.data<float>()[i] /= 255.0f;
    w.push(f32);
    w.finish();
    const VideoInfo info = probeVideo(path);
    EXPECT_EQ(info.frames, 6);
    EXPECT_EQ(info.width, 40);
    EXPECT_EQ(info.height, 30);
    const Tensor back = readVideoFrames(path);
    ASSERT_EQ(back.dim(0), 6);
    EXPECT_LT(meanAbsError(back, 5, frameOf(5, 30, 40)), 8.0);  // Y4M carries no matrix: FFmpeg reads BT.601
}

}  // namespace
}  // namespace sv::media
