// CPU kernel of ops::philoxNormal (ops/philox_normal.h): torch's CUDA normal kernel emulated on the
// host. Exact: the Philox words, the uniforms, logf (libdevice's __nv_logf, below) and sqrtf. Approximate:
// the GPU's __sincosf, a hardware approximation (MUFU.SIN / MUFU.COS) whose bits are not specified; the
// correctly rounded sin/cos of the same reduced argument stands in for it.
#include <bit>
#include <cmath>
#include <cstdint>

#include "base/half.h"
#include "base/parallel.h"
#include "base/philox.h"
#include "cpu/ops.h"

namespace sv::cpu {

namespace {

constexpr int64_t kBlockThreads = 256;  // torch's block_size_bound
constexpr int kUnroll = 4;              // normals per curand_normal4

// CURAND_2POW32_INV and CURAND_2POW32_INV_2PI (curand_globals.h): float literals, the second a float
// product folded at compile time.
constexpr float kPow32Inv = 2.3283064e-10f;
constexpr float kPow32Inv2Pi = 2.3283064e-10f * 6.2831855f;

/// logf as libdevice's __nv_logf computes it for normal positive inputs (the CUDA Toolkit's
/// nvvm/libdevice/libdevice.10.bc, __internal_accurate_logf): split a = m·2^e with m in [2/3, 4/3), then a
/// degree-9 polynomial in t = m − 1 evaluated with fused multiply-adds, plus e·ln 2. Every fma of the
/// device is an fma here, so the result is bit-identical. Inputs here are in [2^-33, 1].
float libdeviceLogf(float a) {
    const uint32_t bits = std::bit_cast<uint32_t>(a);
    const uint32_t expBits = (bits - 0x3f2aaaabu) & 0xff800000u;  // exponent that puts m into [2/3, 4/3)
    const float m = std::bit_cast<float>(bits - expBits);
    const float e = std::fma(float(int32_t(expBits)), 0x1p-23f, 0.0f);
    const float t = m - 1.0f;
    float p = std::fma(-0x1.0aa04ep-3f, t, 0x1.2073ecp-3f);
    p = std::fma(p, t, -0x1.f19b98p-4f);
    p = std::fma(p, t, 0x1.1e52aap-3f);
    p = std::fma(p, t, -0x1.55b172p-3f);
    p = std::fma(p, t, 0x1.99da16p-3f);
    p = std::fma(p, t, -0x1.fffe44p-3f);
    p = std::fma(p, t, 0x1.5554f0p-2f);
    p = std::fma(p, t, -0.5f);
    p = p * t;
    p = std::fma(p, t, t);
    return std::fma(e, 0x1.62e430p-1f, p);
}

/// x·y rounded toward zero (the FMUL.RZ in front of MUFU.SIN/COS): the exact product fits a double.
float mulTowardZero(float x, float y) {
    const double exact = double(x) * double(y);
    float r = float(exact);
    if (std::fabs(double(r)) > std::fabs(exact)) r = std::nextafter(r, 0.0f);
    return r;
}

/// __sincosf(v): the GPU computes sin/cos.approx of v as MUFU on v·(1/2π) rounded toward zero (in
/// revolutions). Here: the correctly rounded sin and cos of that same number of revolutions.
void approxSinCos(float v, float& s, float& c) {
    const double turns = double(mulTowardZero(v, 0x1.45f306p-3f));  // float(1/(2π))
    const double angle = 2.0 * 3.14159265358979323846 * turns;
    s = float(std::sin(angle));
    c = float(std::cos(angle));
}

/// _curand_box_muller(x, y) on the device: (sin(v)·s, cos(v)·s) with s = sqrtf(−2·logf(u)). nvcc contracts
/// `x * C + C/2` into one fma.
void boxMuller(uint32_t x, uint32_t y, float* out) {
    const float u = std::fma(float(x), kPow32Inv, kPow32Inv / 2);
    const float v = std::fma(float(y), kPow32Inv2Pi, kPow32Inv2Pi / 2);
    const float s = std::sqrt(-2.0f * libdeviceLogf(u));
    float sn, cs;
    approxSinCos(v, sn, cs);
    out[0] = sn * s;
    out[1] = cs * s;
}

template <class Store>
void fill(int64_t numel, const ops::PhiloxNormalLaunch& l, const Store& store) {
    const int64_t threads = l.blocks * kBlockThreads;
    const int64_t stride = threads * kUnroll;
    const int64_t rounded = ((numel - 1) / stride + 1) * stride;
    parallelFor(threads, 256, [&](int64_t begin, int64_t end) {
        for (int64_t idx = begin; idx < end; ++idx) {
            if (idx >= numel) break;  // a thread whose first element is outside writes nothing
            PhiloxState state(l.seed, uint64_t(idx), l.offset);
            for (int64_t li = idx; li < rounded; li += stride) {
                const PhiloxWords w = state.next4();
                float n[4];
                boxMuller(w[0], w[1], n);
                boxMuller(w[2], w[3], n + 2);
                for (int j = 0; j < kUnroll; ++j) {
                    const int64_t e = li + threads * j;
                    // transformation::normal(rand, mean 0, std 1) = rand·1 + 0 (an fma: −0 becomes +0).
                    if (e < numel) store(e, std::fma(n[j], 1.0f, 0.0f));
                }
            }
        }
    });
}

}  // namespace

Tensor philoxNormal(const Shape& shape, DType dtype, Device device, const ops::PhiloxNormalLaunch& launch) {
    SV_ASSERT(device.isCpu());
    Tensor out = Tensor::empty(shape, dtype, device);
    const int64_t numel = out.numel();
    if (numel == 0) return out;
    switch (dtype) {
        case DType::F32: {
            float* p = out.data<float>();
            fill(numel, launch, [p](int64_t e, float v) { p[e] = v; });
            break;
        }
        case DType::BF16: {
            uint16_t* p = out.data16();
            fill(numel, launch, [p](int64_t e, float v) { p[e] = floatToBf16(v); });
            break;
        }
        default: {
            uint16_t* p = out.data16();
            fill(numel, launch, [p](int64_t e, float v) { p[e] = floatToF16(v); });
            break;
        }
    }
    return out;
}

}  // namespace sv::cpu
