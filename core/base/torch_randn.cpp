#include "base/torch_randn.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace sv {

namespace {

constexpr int kStateN = 624;
constexpr int kStateM = 397;

inline uint32_t floatBits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float bitsFloat(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Natural log of one lane as avx_mathfun's log256_ps computes it (Cephes polynomial), with the multiply-adds
// that the x86-64 PyTorch build contracts into FMAs written as std::fma. Input in (0, 1].
float cephesLog(float v) {
    const uint32_t b = floatBits(v);
    const int32_t exponent = int32_t(b >> 23) - 0x7f;
    float x = bitsFloat((b & ~0x7f800000u) | floatBits(0.5f));  // mantissa scaled into [0.5, 1)
    float e = float(exponent) + 1.0f;
    const bool below = x < 0.707106781186547524f;
    const float extra = below ? x : 0.0f;
    x = x - 1.0f;
    e = e - (below ? 1.0f : 0.0f);
    x = x + extra;
    const float z = x * x;
    static constexpr float kP[] = {-1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
                                   -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
    float y = 7.0376836292E-2f;
    for (float p : kP) y = std::fma(y, x, p);
    y = y * x;
    const float eq1 = e * -2.12194440e-4f;
    y = std::fma(y, z, eq1);
    y = std::fma(-z, 0.5f, y);
    x = x + y;
    return std::fma(e, 0.693359375f, x);
}

// sin and cos of one lane as avx_mathfun's sincos256_ps computes them (Cephes, octant reduction), with the
// same FMA contractions. Input in [0, 2π).
void cephesSinCos(float v, float& sinOut, float& cosOut) {
    uint32_t signSin = floatBits(v) & 0x80000000u;
    float x = bitsFloat(floatBits(v) & 0x7fffffffu);
    int32_t j = int32_t(x * 1.27323954473516f);  // x · 4/π, truncated
    j = (j + 1) & ~1;
    const float y = float(j);
    signSin ^= uint32_t(j & 4) << 29;
    const bool sinePolyForSin = (j & 2) == 0;
    const uint32_t signCos = uint32_t(~(j - 2) & 4) << 29;
    x = std::fma(y, -0.78515625f, x);  // extended-precision reduction x − y·π/4
    x = std::fma(y, -2.4187564849853515625e-4f, x);
    x = std::fma(y, -3.77489497744594108e-8f, x);
    const float z = x * x;

    float yc = std::fma(2.443315711809948E-005f, z, -1.388731625493765E-003f);
    yc = std::fma(yc, z, 4.166664568298827E-002f);
    yc = yc * z;
    const float halfZ = z * 0.5f;
    yc = std::fma(yc, z, -halfZ);
    yc = yc + 1.0f;

    float ys = std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f);
    ys = std::fma(ys, z, -1.6666654611E-1f);
    ys = ys * z;
    ys = std::fma(ys, x, x);

    // Lane select done with adds of masked values, as the vector code does (keeps its signed-zero behaviour).
    const float sinFromSinePoly = sinePolyForSin ? ys : 0.0f;
    const float sinFromCosPoly = sinePolyForSin ? 0.0f : yc;
    const float cosFromSinePoly = ys - sinFromSinePoly;
    const float cosFromCosPoly = yc - sinFromCosPoly;
    sinOut = bitsFloat(floatBits(sinFromCosPoly + sinFromSinePoly) ^ signSin);
    cosOut = bitsFloat(floatBits(cosFromCosPoly + cosFromSinePoly) ^ signCos);
}

// ATen normal_fill_16_AVX2 (mean 0, std 1): 16 uniforms in, 16 normals out.
void normalFill16(float* d) {
    const float twoPi = float(2.0 * std::numbers::pi);
    float lo[8], hi[8];
    for (int j = 0; j < 8; ++j) {
        const float u1 = 1.0f - d[j];
        const float u2 = d[j + 8];
        const float radius = std::sqrt(-2.0f * cephesLog(u1));
        const float theta = twoPi * u2;
        float s, c;
        cephesSinCos(theta, s, c);
        lo[j] = radius * c;
        hi[j] = radius * s;
    }
    for (int j = 0; j < 8; ++j) {
        d[j] = lo[j];
        d[j + 8] = hi[j];
    }
}

// ATen normal_fill_16<double> (mean 0, std 1).
void normalFill16(double* d) {
    for (int j = 0; j < 8; ++j) {
        const double u1 = 1.0 - d[j];
        const double u2 = d[j + 8];
        const double radius = std::sqrt(-2.0 * std::log(u1));
        const double theta = 2.0 * std::numbers::pi * u2;
        d[j] = radius * std::cos(theta);
        d[j + 8] = radius * std::sin(theta);
    }
}

}  // namespace

void TorchCpuGenerator::manualSeed(uint64_t seed) {
    seed_ = seed;
    state_[0] = uint32_t(seed & 0xffffffffu);
    for (int j = 1; j < kStateN; ++j) {
        state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + uint32_t(j);
    }
    left_ = 1;
    next_ = 0;
    nextDoubleNormal_.reset();
}

void TorchCpuGenerator::nextState() {
    auto twist = [](uint32_t u, uint32_t v) {
        const uint32_t mixed = (u & 0x80000000u) | (v & 0x7fffffffu);
        return (mixed >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
    };
    for (int i = 0; i < kStateN; ++i) {
        state_[i] = state_[(i + kStateM) % kStateN] ^ twist(state_[i], state_[(i + 1) % kStateN]);
    }
    left_ = kStateN;
    next_ = 0;
}

uint32_t TorchCpuGenerator::random() {
    if (--left_ == 0) nextState();
    uint32_t y = state_[size_t(next_++)];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t TorchCpuGenerator::random64() {
    const uint64_t hi = random();
    const uint64_t lo = random();
    return (hi << 32) | lo;
}

double TorchCpuGenerator::normalDouble() {
    if (nextDoubleNormal_) {
        const double cached = *nextDoubleNormal_;
        nextDoubleNormal_.reset();
        return cached;
    }
    constexpr double kScale53 = 1.0 / double(uint64_t(1) << 53);
    const double u1 = double(random64() & ((uint64_t(1) << 53) - 1)) * kScale53;
    const double u2 = double(random64() & ((uint64_t(1) << 53) - 1)) * kScale53;
    const double r = std::sqrt(-2.0 * std::log1p(-u2));
    const double theta = 2.0 * std::numbers::pi * u1;
    nextDoubleNormal_ = r * std::sin(theta);
    return r * std::cos(theta);
}

void TorchCpuGenerator::randnFill(std::span<float> out) {
    const size_t n = out.size();
    if (n < 16) {
        for (float& v : out) v = float(normalDouble());
        return;
    }
    auto uniform = [this] { return float(random() & 0xffffffu) * (1.0f / 16777216.0f); };
    for (float& v : out) v = uniform();
    for (size_t i = 0; i + 16 <= n; i += 16) normalFill16(out.data() + i);
    if (n % 16 != 0) {
        float* tail = out.data() + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = uniform();
        normalFill16(tail);
    }
}

void TorchCpuGenerator::randnFill(std::span<double> out) {
    const size_t n = out.size();
    if (n < 16) {
        for (double& v : out) v = normalDouble();
        return;
    }
    constexpr double kScale53 = 1.0 / double(uint64_t(1) << 53);
    auto uniform = [this] { return double(random64() & ((uint64_t(1) << 53) - 1)) * kScale53; };
    for (double& v : out) v = uniform();
    for (size_t i = 0; i + 16 <= n; i += 16) normalFill16(out.data() + i);
    if (n % 16 != 0) {
        double* tail = out.data() + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = uniform();
        normalFill16(tail);
    }
}

Tensor TorchCpuGenerator::randn(const Shape& shape, DType dtype) {
    for (int64_t d : shape) SV_CHECK(d >= 0, "randn: negative size in shape ", shapeToString(shape));
    SV_CHECK(dtype == DType::F32 || dtype == DType::F64, "randn: dtype ", dtypeName(dtype),
             " is not supported (F32 or F64)");
    Tensor t = Tensor::empty(shape, dtype);
    const size_t n = size_t(t.numel());
    if (dtype == DType::F32) {
        randnFill(std::span<float>(t.data<float>(), n));
    } else {
        randnFill(std::span<double>(t.data<double>(), n));
    }
    return t;
}

TorchRandnStream::TorchRandnStream(TorchCpuGenerator& generator, int64_t count, int64_t checkpointEvery)
    : count_(count), every_(std::max<int64_t>(16, checkpointEvery / 16 * 16)) {
    SV_CHECK(count >= 0, "randn: negative element count ", count);
    if (count < 16) {  // the scalar path (it may use the generator's cached normal): just keep the values
        small_.resize(size_t(count));
        generator.randnFill(std::span<float>(small_));
        return;
    }
    // One uniform per element, then (count % 16 != 0) 16 more for the tail, as randnFill draws them.
    for (int64_t drawn = 0; drawn < count; drawn += every_) {
        checkpoints_.push_back(generator);
        const int64_t n = std::min(every_, count - drawn);
        for (int64_t i = 0; i < n; ++i) (void)generator.random();
    }
    if (count % 16 != 0) {
        tail_.resize(16);
        for (float& v : tail_) v = float(generator.random() & 0xffffffu) * (1.0f / 16777216.0f);
        normalFill16(tail_.data());
    }
}

void TorchRandnStream::fill(int64_t offset, std::span<float> out) const {
    const auto n = int64_t(out.size());
    SV_ASSERT_MSG(offset >= 0 && offset + n <= count_, "TorchRandnStream::fill: range [", offset, ", ",
                  offset + n, ") outside [0, ", count_, ")");
    if (n == 0) return;
    if (!small_.empty()) {
        std::copy_n(small_.begin() + offset, n, out.begin());
        return;
    }
    // Whole 16-blocks covering the range (the full blocks end at 16·⌊count/16⌋).
    const int64_t fullEnd = count_ / 16 * 16;
    const int64_t first = offset / 16 * 16;
    const int64_t last = std::min(fullEnd, (offset + n + 15) / 16 * 16);
    if (first < last) {
        TorchCpuGenerator g = checkpoints_[size_t(first / every_)];
        for (int64_t i = first / every_ * every_; i < first; ++i) (void)g.random();
        std::vector<float> block(16);
        for (int64_t b = first; b < last; b += 16) {
            for (float& v : block) v = float(g.random() & 0xffffffu) * (1.0f / 16777216.0f);
            normalFill16(block.data());
            for (int64_t i = std::max(b, offset); i < std::min(b + 16, offset + n); ++i)
                out[size_t(i - offset)] = block[size_t(i - b)];
        }
    }
    if (!tail_.empty()) {  // the last 16 elements come from the tail draws (they overwrite the full blocks)
        for (int64_t i = std::max(count_ - 16, offset); i < offset + n; ++i)
            out[size_t(i - offset)] = tail_[size_t(i - (count_ - 16))];
    }
}

}  // namespace sv
