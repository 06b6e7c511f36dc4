// safetensors reader and writer: round trips for every dtype, sharded archives, and every kind of broken file
// (each error must name the file, the tensor where there is one, and the problem).
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/half.h"
#include "io/safetensors.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

// A safetensors image: 8-byte little-endian header length (the real one unless overridden), header, data.
std::string rawImage(const std::string& header, size_t dataBytes,
                     std::optional<uint64_t> declaredLength = {}) {
    const uint64_t n = declaredLength.value_or(header.size());
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
    out += header;
    for (size_t i = 0; i < dataBytes; ++i) out += char(i * 7 + 1);
    return out;
}

void writeFile(const fs::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

// Opens `bytes` as a file and expects an sv::Error whose message contains the file name and every fragment.
void expectOpenError(const std::string& bytes, const std::vector<std::string>& fragments) {
    test::TempDir dir;
    const fs::path p = dir.path() / "broken.safetensors";
    writeFile(p, bytes);
    try {
        SafetensorsFile::open(p);
        ADD_FAILURE() << "opened a broken file; expected: " << fragments.front();
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(p.string()), std::string::npos) << m;
        for (const auto& f : fragments)
            EXPECT_NE(m.find(f), std::string::npos) << "missing \"" << f << "\" in: " << m;
    }
    // The in-memory reader (used by the fuzzer) must agree.
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    EXPECT_THROW(SafetensorsFile::fromMemory({data, bytes.size()}, "memory"), Error);
}

const std::string kOne = R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";

TEST(Safetensors, ValidImageOpens) {
    test::TempDir dir;
    writeFile(dir.path() / "ok.safetensors", rawImage(kOne, 16));
    auto f = SafetensorsFile::open(dir.path() / "ok.safetensors");
    ASSERT_EQ(f->tensors().size(), 1u);
    EXPECT_EQ(f->get("w").shape(), (Shape{2, 2}));
}

TEST(Safetensors, TruncatedFile) {
    expectOpenError("", {"truncated"});
    expectOpenError(std::string(5, '\x01'), {"truncated", "5 bytes"});
}

TEST(Safetensors, HeaderLengthPastEndOfFile) {
    expectOpenError(rawImage(kOne, 16, uint64_t(10000)), {"header length 10000", "past the end"});
    expectOpenError(rawImage(kOne, 16, ~uint64_t(0)), {"past the end"});
}

TEST(Safetensors, InvalidJsonHeader) {
    expectOpenError(rawImage(R"({"w":{"dtype":"F32",)", 0), {"invalid JSON"});
    expectOpenError(rawImage("[1,2,3]", 0), {"not a JSON object"});
    expectOpenError(rawImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4),
                    {"\"w\"", "data_offsets"});
    expectOpenError(rawImage(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", 4), {"\"w\"", "dtype"});
    expectOpenError(rawImage(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4),
                    {"\"w\"", "invalid dimension"});
    expectOpenError(rawImage(R"({"__metadata__":{"a":1}})", 0), {"__metadata__", "\"a\""});
}

TEST(Safetensors, OverlappingOffsets) {
    const std::string h = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
    expectOpenError(rawImage(h, 16), {"\"a\"", "\"b\"", "overlap"});
    // An empty tensor at the start must not hide an overlap behind it.
    const std::string h2 = R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                           R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                           R"("c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})";
    expectOpenError(rawImage(h2, 16), {"\"a\"", "\"c\"", "overlap"});
}

TEST(Safetensors, OutOfRangeOffsets) {
    expectOpenError(rawImage(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 12),
                    {"\"w\"", "out of range", "12 bytes"});
    expectOpenError(rawImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 12),
                    {"\"w\"", "out of range"});
    expectOpenError(rawImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,1e30]}})", 12),
                    {"\"w\"", "data_offsets"});
}

TEST(Safetensors, UnknownDtype) {
    expectOpenError(rawImage(R"({"w":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}})", 1),
                    {"\"w\"", "unknown dtype", "F8_E9"});
}

TEST(Safetensors, ShapeByteCountMismatch) {
    expectOpenError(rawImage(R"({"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}})", 8),
                    {"\"w\"", "needs 6 bytes", "8 are stored"});
    // Shapes whose byte count would overflow 64 bits.
    expectOpenError(
        rawImage(R"({"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})", 0),
        {"\"w\"", "too large"});
    expectOpenError(
        rawImage(R"({"w":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}})", 0),
        {"\"w\"", "too large"});
}

TEST(Safetensors, MissingTensorIsNamed) {
    test::TempDir dir;
    writeFile(dir.path() / "ok.safetensors", rawImage(kOne, 16));
    auto f = SafetensorsFile::open(dir.path() / "ok.safetensors");
    try {
        f->get("nope");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("\"nope\""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("ok.safetensors"), std::string::npos) << e.what();
    }
}

TEST(Safetensors, RoundTripEveryDtype) {
    test::TempDir dir;
    std::vector<std::pair<std::string, Tensor>> tensors;
    const std::vector<float> f = {1.5f, -2.25f, 3.0e-3f, 65504.0f, -0.0f, 7.0f};
    tensors.emplace_back("f32", Tensor::fromFloats(f, {2, 3}));
    tensors.emplace_back("f64", Tensor::fromFloats(f, {3, 2}).to(DType::F64));
    tensors.emplace_back("bf16", Tensor::fromFloats(f, {6}).to(DType::BF16));
    tensors.emplace_back("f16", Tensor::fromFloats(f, {1, 6}).to(DType::F16));
    const std::vector<int64_t> ints = {0, -1, 1ll << 40, 7};
    tensors.emplace_back("i64", Tensor::fromInts(ints, {4}));
    tensors.emplace_back("i32", Tensor::fromInts(ints, {2, 2}).to(DType::I32));
    Tensor u8 = Tensor::empty({5}, DType::U8);
    for (int i = 0; i < 5; ++i) u8.data<uint8_t>()[i] = uint8_t(250 + i);
    tensors.emplace_back("u8", u8);
    tensors.emplace_back("empty", Tensor::zeros({0, 3}, DType::F32));
    // A strided view is written contiguous.
    tensors.emplace_back("transposed", Tensor::fromFloats(f, {2, 3}).transpose(0, 1));
    const std::map<std::string, std::string> meta = {{"format", "pt"}, {"note", "round trip"}};
    const fs::path p = dir.path() / "all.safetensors";
    writeSafetensors(p, tensors, meta);

    auto file = SafetensorsFile::open(p);
    EXPECT_EQ(file->metadata(), meta);
    ASSERT_EQ(file->tensors().size(), tensors.size());
    for (const auto& [name, t] : tensors) {
        SCOPED_TRACE(name);
        Tensor back = file->get(name);
        EXPECT_EQ(back.dtype(), t.dtype());
        EXPECT_EQ(back.shape(), t.shape());
        Tensor want = t.contiguous();
        ASSERT_EQ(back.nbytes(), want.nbytes());
        if (want.nbytes() > 0) {
            EXPECT_EQ(std::memcmp(back.rawData(), want.rawData(), want.nbytes()), 0);
        }
    }
    EXPECT_FLOAT_EQ(float(file->getAs("bf16", DType::F32).item(1)), -2.25f);
    // Nothing but the file itself is left (no temporary file).
    size_t entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path())) {
        EXPECT_EQ(e.path().filename(), "all.safetensors");
        ++entries;
    }
    EXPECT_EQ(entries, 1u);
}

TEST(Safetensors, ShardedArchive) {
    test::TempDir dir;
    std::vector<std::pair<std::string, Tensor>> a = {{"layer.0.w", Tensor::full({2, 2}, 1.0f)},
                                                     {"layer.0.b", Tensor::full({2}, 2.0f)}};
    std::vector<std::pair<std::string, Tensor>> b = {{"layer.1.w", Tensor::full({3}, 3.0f, DType::BF16)}};
    writeSafetensors(dir.path() / "model-00001-of-00002.safetensors", a);
    writeSafetensors(dir.path() / "model-00002-of-00002.safetensors", b);
    std::ofstream(dir.path() / "model.safetensors.index.json")
        << R"({"metadata":{"total_size":28},"weight_map":{"layer.0.w":"model-00001-of-00002.safetensors",)"
           R"("layer.0.b":"model-00001-of-00002.safetensors","layer.1.w":"model-00002-of-00002.safetensors"}})";
    for (const fs::path& where : {dir.path(), dir.path() / "model.safetensors.index.json"}) {
        WeightArchive w = WeightArchive::open(where);
        EXPECT_EQ(w.names(), (std::vector<std::string>{"layer.0.b", "layer.0.w", "layer.1.w"}));
        EXPECT_EQ(w.get("layer.1.w").dtype(), DType::BF16);
        EXPECT_FLOAT_EQ(float(w.get("layer.0.b").item(1)), 2.0f);
        EXPECT_EQ(w.find("layer.0.w")->shape, (Shape{2, 2}));
        EXPECT_THROW(w.get("layer.2.w"), Error);
    }
}

void expectArchiveError(const fs::path& where, const std::vector<std::string>& fragments) {
    try {
        WeightArchive::open(where);
        ADD_FAILURE() << "opened a broken archive";
    } catch (const Error& e) {
        const std::string m = e.what();
        for (const auto& f : fragments)
            EXPECT_NE(m.find(f), std::string::npos) << "missing \"" << f << "\" in: " << m;
    }
}

TEST(Safetensors, ShardNamedByIndexIsMissing) {
    test::TempDir dir;
    writeSafetensors(dir.path() / "model-00001-of-00002.safetensors",
                     std::vector<std::pair<std::string, Tensor>>{{"a", Tensor::full({1}, 1.0f)}});
    std::ofstream(dir.path() / "model.safetensors.index.json")
        << R"({"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
    expectArchiveError(dir.path(),
                       {"model.safetensors.index.json", "model-00002-of-00002.safetensors", "missing"});
}

TEST(Safetensors, TensorNotInItsShard) {
    test::TempDir dir;
    writeSafetensors(dir.path() / "shard.safetensors",
                     std::vector<std::pair<std::string, Tensor>>{{"a", Tensor::full({1}, 1.0f)}});
    std::ofstream(dir.path() / "model.safetensors.index.json")
        << R"({"weight_map":{"a":"shard.safetensors","ghost":"shard.safetensors"}})";
    expectArchiveError(
        dir.path(), {"model.safetensors.index.json", "\"ghost\"", "not in its shard", "shard.safetensors"});
}

TEST(Safetensors, BadIndexFiles) {
    test::TempDir dir;
    const fs::path idx = dir.path() / "model.safetensors.index.json";
    std::ofstream(idx) << R"({"weight_map":{"a":"../escape.safetensors"}})";
    expectArchiveError(idx, {"\"a\"", "invalid shard"});
    std::ofstream(idx, std::ios::trunc) << R"({"metadata":{}})";
    expectArchiveError(idx, {"weight_map"});
    std::ofstream(idx, std::ios::trunc) << R"({"weight_map":)";
    expectArchiveError(idx, {"model.safetensors.index.json", "invalid JSON"});
    expectArchiveError(dir.path() / "absent.safetensors", {"absent.safetensors", "not found"});
}

TEST(Safetensors, BrokenShardIsNamed) {
    test::TempDir dir;
    writeFile(dir.path() / "s1.safetensors", rawImage(kOne, 10));  // data cut short
    std::ofstream(dir.path() / "model.safetensors.index.json") << R"({"weight_map":{"w":"s1.safetensors"}})";
    expectArchiveError(dir.path(), {"s1.safetensors", "\"w\"", "out of range"});
}

}  // namespace
}  // namespace sv
