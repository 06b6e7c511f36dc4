// Image I/O through OpenImageIO: loading fixtures made independently (tests/data/images, see its README),
// saving and reading back, sequences, and errors that name the file.
#include <cmath>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "media/capabilities.h"
#include "media/image_io.h"
#include "media/pixels.h"
#include "support/hostile_files.h"
#include "support/reference.h"

namespace fs = std::filesystem;

namespace sv::media {
namespace {

fs::path fixture(const char* name) {
    return fs::path(SV_TEST_DATA_DIR) / "images" / name;
}

float at(const Tensor& t, int64_t y, int64_t x, int c) {
    return float(t.item((y * t.dim(1) + x) * 3 + c));
}

size_t filesIn(const fs::path& dir) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

void expectErrorNaming(const std::function<void()>& fn, const std::string& needle,
                       const std::string& reason = {}) {
    try {
        fn();
        ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
        if (!reason.empty()) {
            EXPECT_NE(msg.find(reason), std::string::npos) << msg;
        }
        EXPECT_GT(msg.size(), needle.size() + 20) << "no reason given: " << msg;
    }
}

class ImageIoTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!haveImageIO()) GTEST_SKIP() << "built without OpenImageIO";
    }
    test::TempDir dir;
};

TEST_F(ImageIoTest, Loads8BitRgbExactly) {
    for (const char* name : {"rgb8.png", "rgb8.tif"}) {
        SCOPED_TRACE(name);
        LoadedImage img = loadImage(fixture(name));
        ASSERT_EQ(img.rgb.shape(), (Shape{3, 5, 3}));
        ASSERT_TRUE(img.rgb8.defined());
        EXPECT_EQ(img.sourceBits, 8);
        EXPECT_FALSE(img.droppedAlpha);
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 5; ++x) {
                const int want[3] = {50 + 10 * x + 40 * y, 255 - 20 * x, 7 * (x + y)};
                for (int c = 0; c < 3; ++c) {
                    EXPECT_EQ(int(at(img.rgb8, y, x, c)), want[c]);
                    EXPECT_EQ(at(img.rgb, y, x, c), float(want[c]) / 255.0f);
                }
            }
    }
}

TEST_F(ImageIoTest, GreyscaleIsReplicatedToRgb) {
    LoadedImage img = loadImage(fixture("grey8.png"));
    ASSERT_EQ(img.rgb8.shape(), (Shape{3, 5, 3}));
    EXPECT_EQ(img.sourceChannels, 1);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 5; ++x)
            for (int c = 0; c < 3; ++c) EXPECT_EQ(int(at(img.rgb8, y, x, c)), 50 + 10 * x + 40 * y);
}

TEST_F(ImageIoTest, SixteenBitImagesKeepTheirPrecision) {
    LoadedImage grey = loadImage(fixture("grey16.png"));
    EXPECT_FALSE(grey.rgb8.defined()) << "no uint8 copy for a 16-bit source";
    EXPECT_EQ(grey.sourceBits, 16);
    ASSERT_EQ(grey.rgb.shape(), (Shape{2, 4, 3}));
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 3; ++c)
                EXPECT_NEAR(at(grey.rgb, y, x, c), (21000.0 * x + 1000.0 * y) / 65535.0, 1e-6);

    LoadedImage rgb = loadImage(fixture("rgb16.png"));
    ASSERT_EQ(rgb.rgb.shape(), (Shape{2, 4, 3}));
    EXPECT_FALSE(rgb.sourceLinear);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x) {
            const double want[3] = {20000.0 * x + y, 65535.0 - 300.0 * x, 40000.0 * y + 7};
            for (int c = 0; c < 3; ++c)
                EXPECT_NEAR(at(rgb.rgb, y, x, c), want[c] / 65535.0, 1e-6) << y << "," << x;
        }
    // The uint8 version for such an image comes from toUint8 (round half to even of x·255).
    Tensor q = toUint8(rgb.rgb);
    EXPECT_EQ(int(q.item(0)), 0);
    EXPECT_EQ(int(q.item(1)), 255);
}

TEST_F(ImageIoTest, AlphaIsDroppedWithoutPremultiplying) {
    LoadedImage img = loadImage(fixture("rgba.png"));
    EXPECT_TRUE(img.droppedAlpha);
    ASSERT_EQ(img.rgb8.shape(), (Shape{2, 2, 3}));
    const int want[4][3] = {{200, 100, 50}, {10, 20, 30}, {255, 255, 255}, {0, 128, 255}};
    for (int i = 0; i < 4; ++i)
        for (int c = 0; c < 3; ++c) EXPECT_EQ(int(img.rgb8.item(i * 3 + c)), want[i][c]) << "pixel " << i;

    LoadedImage la = loadImage(fixture("grey_alpha.png"));
    EXPECT_TRUE(la.droppedAlpha);
    for (int i = 0; i < 4; ++i)
        for (int c = 0; c < 3; ++c) EXPECT_EQ(int(la.rgb8.item(i * 3 + c)), want[i][0]) << "pixel " << i;
}

TEST_F(ImageIoTest, PaletteImagesExpandToRgb) {
    LoadedImage img = loadImage(fixture("palette.png"));
    const int want[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 0, 0}};
    for (int i = 0; i < 4; ++i)
        for (int c = 0; c < 3; ++c) EXPECT_EQ(int(img.rgb8.item(i * 3 + c)), want[i][c]);
}

TEST_F(ImageIoTest, ExifOrientationIsApplied) {
    LoadedImage img = loadImage(fixture("oriented6.jpg"));
    EXPECT_EQ(img.orientation, 6);
    ASSERT_EQ(img.rgb8.shape(), (Shape{32, 16, 3})) << "displayed 16 wide, 32 high";
    const int bands[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
    for (int b = 0; b < 4; ++b)
        for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(at(img.rgb8, 8 * b + 4, 8, c), bands[b][c], 12) << "band " << b << " channel " << c;
}

TEST_F(ImageIoTest, LinearExrIsEncodedToSrgb) {
    LoadedImage img = loadImage(fixture("linear.exr"));
    EXPECT_TRUE(img.sourceFloat);
    EXPECT_TRUE(img.sourceLinear);
    EXPECT_FALSE(img.rgb8.defined());
    ASSERT_EQ(img.rgb.shape(), (Shape{1, 6, 3}));
    // Half precision on the stored side, so ~1e-3 here; 0.05 linear -> 0.2474 sRGB (IEC 61966-2-1).
    const double want[6] = {0.0, 0.5, 1.0, 1.0, 0.04045, 0.2474};
    for (int x = 0; x < 6; ++x)
        for (int c = 0; c < 3; ++c) EXPECT_NEAR(at(img.rgb, 0, x, c), want[x], 1.5e-3) << x;
}

TEST_F(ImageIoTest, UnreadableFilesNameTheFileAndTheReason) {
    expectErrorNaming([] { loadImage(fixture("garbage.png")); }, "garbage.png");
    expectErrorNaming([] { loadImage(fixture("truncated.png")); }, "truncated.png");
    expectErrorNaming([] { loadImage(fixture("does_not_exist.png")); }, "does_not_exist.png",
                      "does not exist");
    expectErrorNaming([&] { loadImage(dir.path()); }, dir.path().string());
}

/// CRC-32 of PNG chunks (ISO 3309).
uint32_t crc32(const std::string& bytes) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

std::string be32(uint32_t v) {
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string chunk(const std::string& type, const std::string& data) {
    return be32(uint32_t(data.size())) + type + data + be32(crc32(type + data));
}

/// A small PNG file whose header claims width x height 8-bit RGB pixels (the pixel data is a stub: only the
/// header may be read).
std::string pngClaiming(uint32_t width, uint32_t height, size_t padBytes) {
    const std::string ihdr = be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5);
    return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
           chunk("IDAT", std::string("\x78\x9c", 2) + std::string(padBytes, '\0')) + chunk("IEND", "");
}

TEST_F(ImageIoTest, HugeImagesAreRefusedFromTheirHeader) {
    // A 1 MB file claiming 16384x16384 (268 megapixels; decoding would take gigabytes).
    const fs::path p = dir.path() / "huge.png";
    std::ofstream(p, std::ios::binary) << pngClaiming(16384, 16384, 1 << 20);
    resetHostTensorPeak();
    const int64_t before = hostTensorMemory().current;
    expectErrorNaming([&] { loadImage(p); }, "huge.png",
                      "16384x16384 (268 megapixels) is larger than the 33");
    EXPECT_LT(hostTensorMemory().peak - before, 1 << 20) << "refused before decoding";
    // Just under the budget the header passes (and the stub data then fails to decode).
    std::ofstream(p, std::ios::binary | std::ios::trunc) << pngClaiming(8192, 4096, 16);
    try {
        loadImage(p);
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).find("megapixels"), std::string::npos) << e.what();
    }
}

TEST_F(ImageIoTest, FifosDevicesAndFoldersAreRefusedByName) {
    const fs::path fifo = dir.path() / "pipe.png";
    test::makeFifo(fifo);
    test::expectRefusedQuickly([&] { loadImage(fifo); }, "image file '" + fifo.string() + "' is a named pipe",
                               fifo);
    test::expectRefusedQuickly([&] { loadImage("/dev/zero"); }, "is a character device");
    test::expectRefusedQuickly([&] { loadImage(dir.path()); }, "is a folder, not a file");
}

TEST_F(ImageIoTest, RefusingToOverwriteLeavesTheFileAlone) {
    const fs::path p = dir.path() / "keep.png";
    std::ofstream(p) << "precious";
    expectErrorNaming(
        [&] {
            saveImage(p, Tensor::zeros({4, 4, 3}, DType::U8), io::Overwrite::Refuse);
        },
        "keep.png", "it was not replaced");
    EXPECT_EQ(filesIn(dir.path()), 1u) << "no temporary file left";
    std::ifstream in(p);
    std::string text;
    in >> text;
    EXPECT_EQ(text, "precious");
    EXPECT_NO_THROW(saveImage(p, Tensor::zeros({4, 4, 3}, DType::U8)));  // the default replaces
}

TEST_F(ImageIoTest, PngRoundTripIsExact) {
    const fs::path p = dir.path() / "out.png";
    Tensor img = loadImage(fixture("rgb8.png")).rgb8;
    saveImage(p, img);
    EXPECT_EQ(filesIn(dir.path()), 1u);
    LoadedImage back = loadImage(p);
    EXPECT_EQ(back.rgb8.toFloatVector(), img.toFloatVector());

    // F32 pixels are quantised with round half to even: 0.5 -> 127.5 -> 128, 1/255 stays 1.
    Tensor f = Tensor::full({2, 2, 3}, 0.5f);
    saveImage(p, f);  // replaces the earlier file
    EXPECT_EQ(int(loadImage(p).rgb8.item(0)), 128);
}

TEST_F(ImageIoTest, ExrRoundTripIsLinearHalf) {
    std::vector<float> v = {0.0f, 0.04045f, 0.25f, 0.5f, 0.75f, 1.0f};
    Tensor img = Tensor::empty({1, 6, 3}, DType::F32);
    for (int x = 0; x < 6; ++x)
        for (int c = 0; c < 3; ++c) img.data<float>()[x * 3 + c] = v[size_t(x)];
    const fs::path p = dir.path() / "out.exr";
    saveImage(p, img);
    LoadedImage back = loadImage(p);
    EXPECT_TRUE(back.sourceLinear);
    EXPECT_EQ(back.sourceBits, 16);  // half float
    for (int x = 0; x < 6; ++x) EXPECT_NEAR(at(back.rgb, 0, x, 1), v[size_t(x)], 1e-3) << x;
}

TEST_F(ImageIoTest, JpegAndTiffWrite) {
    Tensor img = loadImage(fixture("rgb8.png")).rgb8;
    saveImage(dir.path() / "a.jpg", img);
    LoadedImage jpg = loadImage(dir.path() / "a.jpg");
    EXPECT_EQ(jpg.format, "jpeg");
    ASSERT_EQ(jpg.rgb8.shape(), img.shape());

    Tensor f = Tensor::full({2, 3, 3}, 1000.0f / 65535.0f);
    saveImage(dir.path() / "b.tiff", f);
    LoadedImage tif = loadImage(dir.path() / "b.tiff");
    EXPECT_EQ(tif.sourceBits, 16);
    EXPECT_NEAR(at(tif.rgb, 1, 2, 0), 1000.0f / 65535.0f, 1e-7);
}

TEST_F(ImageIoTest, SaveErrorsLeaveNothing) {
    Tensor img = Tensor::zeros({4, 4, 3}, DType::U8);
    expectErrorNaming([&] { saveImage(dir.path() / "x.bmp2", img); }, "x.bmp2", "extension");
    expectErrorNaming([&] { saveImage(dir.path() / "no" / "x.png", img); }, "x.png", "does not exist");
    expectErrorNaming([&] { saveImage(dir.path() / "y.png", Tensor::zeros({4, 4, 4}, DType::U8)); }, "y.png");
    expectErrorNaming(
        [&] {
            saveImage(dir.path() / "z.png", Tensor::zeros({4, 4, 3}, DType::I64));
        },
        "z.png");
    EXPECT_EQ(filesIn(dir.path()), 0u);
}

TEST_F(ImageIoTest, SequencesToAFolderOrAPattern) {
    Tensor frames = Tensor::zeros({3, 4, 6, 3}, DType::U8);
    for (int f = 0; f < 3; ++f) frames.data<uint8_t>()[f * 72] = uint8_t(10 * (f + 1));

    const fs::path folder = dir.path() / "frames";  // created
    auto paths = writeImageSequence(folder, frames);
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_EQ(paths[0], folder / "frame_0000.png");
    EXPECT_EQ(paths[2], folder / "frame_0002.png");
    EXPECT_EQ(int(loadImage(paths[1]).rgb8.item(0)), 20);
    EXPECT_EQ(filesIn(folder), 3u);

    ImageSequenceOptions opt;
    opt.firstIndex = 7;
    auto exr = writeImageSequence(dir.path() / "shot_%03d_100%%.exr", frames, opt);
    EXPECT_EQ(exr[0], dir.path() / "shot_007_100%.exr");
    EXPECT_EQ(exr[2].filename(), "shot_009_100%.exr");
    EXPECT_TRUE(loadImage(exr[2]).sourceLinear);

    ImageSequenceWriter plain(dir.path() / "p_%d.png");
    EXPECT_EQ(plain.pathFor(12).filename(), "p_12.png");

    for (const char* bad :
         {"a_%s.png", "a_%d_%d.png", "a_%4d.png", "a_%010d.png", "a_%05d", "a_%d.gif", "a_%"}) {
        SCOPED_TRACE(bad);
        expectErrorNaming([&] { ImageSequenceWriter w(dir.path() / bad); }, bad);
    }
    opt.extension = "webp";
    expectErrorNaming([&] { ImageSequenceWriter w(dir.path() / "f", opt); }, "webp");

    EXPECT_TRUE(isImageSequenceTarget("out/frame_%04d.png"));
    EXPECT_TRUE(isImageSequenceTarget("out/"));
    EXPECT_TRUE(isImageSequenceTarget(folder));
    EXPECT_FALSE(isImageSequenceTarget(dir.path() / "video.mp4"));
}

TEST(Pixels, ToUint8RoundsHalfToEven) {
    // Find floats whose ×255 is exactly k + 0.5 (as computed in float) and check they go to the even
    // neighbour.
    for (int k : {2, 3, 100, 101, 253}) {
        float v = float((k + 0.5) / 255.0);
        for (int step = 0; step < 64 && v * 255.0f != float(k) + 0.5f; ++step)
            v = std::nextafter(v, v * 255.0f < float(k) + 0.5f ? 1.0f : 0.0f);
        ASSERT_EQ(v * 255.0f, float(k) + 0.5f) << k;
        const int want = (k % 2 == 0) ? k : k + 1;
        EXPECT_EQ(int(toUint8(Tensor::full({1}, v)).item(0)), want) << k;
    }
    Tensor t = Tensor::fromFloats(std::vector<float>{-1.0f, 0.0f, 1.0f, 2.0f, NAN}, {5});
    EXPECT_EQ(toUint8(t).toFloatVector(), (std::vector<float>{0, 0, 255, 255, 0}));
}

TEST(Pixels, SrgbCurve) {
    EXPECT_NEAR(srgbToLinear(0.5f), 0.2140411f, 1e-6);
    EXPECT_NEAR(linearToSrgb(0.2140411f), 0.5f, 1e-6);
    EXPECT_NEAR(linearToSrgb(0.0031308f), 0.04045f, 1e-6);
    EXPECT_EQ(linearToSrgb(5.0f), 1.0f);
    EXPECT_EQ(linearToSrgb(-1.0f), 0.0f);
    for (int i = 0; i <= 100; ++i) EXPECT_NEAR(linearToSrgb(srgbToLinear(i / 100.0f)), i / 100.0f, 2e-6);
}

}  // namespace
}  // namespace sv::media
