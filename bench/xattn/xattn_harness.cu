// Standalone check + timing of the fused cross-attention kernel (core/cuda/flash_cross_attention.cu) against
// a naive fp32 GPU reference on the same 16-bit inputs. CMake target xattn_harness (CUDA builds; it compiles
// the kernel's own source file, not the engine). Prints one line per case (rel L2, max abs, unwritten
// outputs) and the median time of the real shape; exits with 1 when a case fails.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "cuda/flash_cross_attention.cuh"
#include "cuda/mma.cuh"
#include "harness.cuh"

using sv::cuda::toF;

// One thread per (sampled row, head, sample); rows n = i · rowStride. Exact softmax (two passes), fp32.
template <class T>
__global__ void referenceKernel(const T* q, const T* k, const T* v, const float* bias, float* ref,
                                long long N, int L, long long C, int heads, float scale, int rowStride,
                                long long rows) {
    const long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    const int h = blockIdx.y;
    const long long b = blockIdx.z;
    if (i >= rows) return;
    const long long n = i * rowStride;
    const int d = int(C / heads);
    const T* qr = q + (b * N + n) * C + h * d;
    float mx = -INFINITY;
    for (int l = 0; l < L; ++l) {
        const T* kr = k + (b * L + l) * C + h * d;
        float s = 0;
        for (int j = 0; j < d; ++j) s += toF(qr[j]) * toF(kr[j]);
        s = s * scale + (bias ? bias[b * L + l] : 0.0f);
        mx = fmaxf(mx, s);
    }
    float acc[256];
    for (int j = 0; j < d; ++j) acc[j] = 0;
    float sum = 0;
    for (int l = 0; l < L; ++l) {
        const T* kr = k + (b * L + l) * C + h * d;
        const T* vr = v + (b * L + l) * C + h * d;
        float s = 0;
        for (int j = 0; j < d; ++j) s += toF(qr[j]) * toF(kr[j]);
        const float p = expf(s * scale + (bias ? bias[b * L + l] : 0.0f) - mx);
        sum += p;
        for (int j = 0; j < d; ++j) acc[j] += p * toF(vr[j]);
    }
    float* o = ref + ((b * rows + i) * heads + h) * (long long)d;
    for (int j = 0; j < d; ++j) o[j] = acc[j] / sum;
}

struct Case {
    long long B, N, L;
    int heads, d;
    bool f16;
    int mask;  // 0: no bias; 1: sample 0 keeps 2 keys, sample 1 keeps 120 (or L); 2: sample 0 keeps 1 key
    bool time;
};

template <class T>
T fromFloatHost(float x) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>)
        return __float2bfloat16_rn(x);
    else
        return __float2half_rn(x);
}
template <class T>
float toFloatHost(T x) {
    if constexpr (std::is_same_v<T, __nv_bfloat16>)
        return __bfloat162float(x);
    else
        return __half2float(x);
}

template <class T>
bool runCase(const Case& cs, uint32_t seed) {
    const long long B = cs.B, N = cs.N, L = cs.L, C = (long long)cs.heads * cs.d;
    uint64_t st = 0x9E3779B97F4A7C15ull * (seed + 1);
    auto fill = [&](std::vector<T>& x, long long n) {  // uniform in ±√3 (unit variance), xorshift64*
        x.resize(size_t(n));
        for (auto& e : x) {
            st ^= st >> 12, st ^= st << 25, st ^= st >> 27;
            const float u = float((st * 0x2545F4914F6CDD1Dull) >> 40) * (1.0f / 16777216.0f);
            e = fromFloatHost<T>((2.0f * u - 1.0f) * 1.7320508f);
        }
    };
    std::vector<T> hq, hk, hv;
    fill(hq, B * N * C), fill(hk, B * L * C), fill(hv, B * L * C);
    std::vector<float> hb(size_t(B * L), 0.0f);
    for (long long b = 0; b < B; ++b)
        for (long long l = 0; l < L; ++l) {
            long long keep = L;
            if (cs.mask == 1) keep = b == 0 ? 2 : std::min(L, 120LL);
            if (cs.mask == 2) keep = b == 0 ? 1 : L / 2 + 1;
            hb[size_t(b * L + l)] = l < keep ? 0.0f : -10000.0f;
        }
    T *q, *k, *v, *out;
    float *bias = nullptr, *ref;
    SV_HARNESS_CHECK(cudaMalloc(&q, hq.size() * 2));
    SV_HARNESS_CHECK(cudaMalloc(&k, hk.size() * 2));
    SV_HARNESS_CHECK(cudaMalloc(&v, hv.size() * 2));
    SV_HARNESS_CHECK(cudaMalloc(&out, hq.size() * 2));
    SV_HARNESS_CHECK(cudaMemcpy(q, hq.data(), hq.size() * 2, cudaMemcpyHostToDevice));
    SV_HARNESS_CHECK(cudaMemcpy(k, hk.data(), hk.size() * 2, cudaMemcpyHostToDevice));
    SV_HARNESS_CHECK(cudaMemcpy(v, hv.data(), hv.size() * 2, cudaMemcpyHostToDevice));
    if (cs.mask) {
        SV_HARNESS_CHECK(cudaMalloc(&bias, hb.size() * 4));
        SV_HARNESS_CHECK(cudaMemcpy(bias, hb.data(), hb.size() * 4, cudaMemcpyHostToDevice));
    }
    SV_HARNESS_CHECK(cudaMemset(out, 0xff, hq.size() * 2));  // NaN poison
    const float scale = float(1.0 / std::sqrt(double(cs.d)));
    const int rowStride = N > 4096 ? 13 : 1;
    const long long rows = (N + rowStride - 1) / rowStride;
    SV_HARNESS_CHECK(cudaMalloc(&ref, size_t(B * rows * C) * 4));
    const sv::cuda::FlashDType dt = cs.f16 ? sv::cuda::FlashDType::F16 : sv::cuda::FlashDType::BF16;
    const bool ok = sv::cuda::flashCrossAttention(dt, q, k, v, bias, out, B, N, L, C, cs.heads, scale, 0);
    SV_HARNESS_CHECK(cudaGetLastError());
    SV_HARNESS_CHECK(cudaDeviceSynchronize());
    referenceKernel<T><<<dim3(unsigned((rows + 127) / 128), cs.heads, unsigned(B)), 128>>>(
        q, k, v, bias, ref, N, int(L), C, cs.heads, scale, rowStride, rows);
    SV_HARNESS_CHECK(cudaGetLastError());
    SV_HARNESS_CHECK(cudaDeviceSynchronize());
    std::vector<T> ho(hq.size());
    std::vector<float> hr(size_t(B * rows * C));
    SV_HARNESS_CHECK(cudaMemcpy(ho.data(), out, ho.size() * 2, cudaMemcpyDeviceToHost));
    SV_HARNESS_CHECK(cudaMemcpy(hr.data(), ref, hr.size() * 4, cudaMemcpyDeviceToHost));
    // A second launch must reproduce the first bit for bit (a moving result is a race).
    std::vector<T> ho2(hq.size());
    SV_HARNESS_CHECK(cudaMemset(out, 0xff, hq.size() * 2));
    sv::cuda::flashCrossAttention(dt, q, k, v, bias, out, B, N, L, C, cs.heads, scale, 0);
    SV_HARNESS_CHECK(cudaDeviceSynchronize());
    SV_HARNESS_CHECK(cudaMemcpy(ho2.data(), out, ho2.size() * 2, cudaMemcpyDeviceToHost));
    long long moved = 0;
    for (size_t i = 0; i < ho.size(); ++i) moved += std::memcmp(&ho[i], &ho2[i], 2) != 0;
    long long bad = 0;
    for (auto& e : ho) bad += !std::isfinite(toFloatHost(e));
    double num = 0, den = 0, maxAbs = 0;
    for (long long b = 0; b < B; ++b)
        for (long long i = 0; i < rows; ++i)
            for (long long c = 0; c < C; ++c) {
                const double r = hr[size_t((b * rows + i) * C + c)];
                const double o = toFloatHost(ho[size_t((b * N + i * rowStride) * C + c)]);
                num += (o - r) * (o - r), den += r * r, maxAbs = std::max(maxAbs, std::fabs(o - r));
            }
    const double rel = std::sqrt(num / std::max(den, 1e-30));
    const bool pass = ok && bad == 0 && moved == 0 && rel < 1e-2;
    std::printf(
        "%-4s B=%lld N=%-6lld L=%-4lld heads=%-2d d=%-3d mask=%d  launched=%d relL2=%.3e maxAbs=%.3e "
        "nonfinite=%lld moved=%lld  %s\n",
        cs.f16 ? "f16" : "bf16", B, N, L, cs.heads, cs.d, cs.mask, int(ok), rel, maxAbs, bad, moved,
        pass ? "ok" : "FAIL");
    if (cs.time && ok) {
        cudaEvent_t e0, e1;
        SV_HARNESS_CHECK(cudaEventCreate(&e0));
        SV_HARNESS_CHECK(cudaEventCreate(&e1));
        for (int i = 0; i < 5; ++i)
            sv::cuda::flashCrossAttention(dt, q, k, v, bias, out, B, N, L, C, cs.heads, scale, 0);
        std::vector<float> ms;
        for (int i = 0; i < 30; ++i) {
            SV_HARNESS_CHECK(cudaEventRecord(e0));
            sv::cuda::flashCrossAttention(dt, q, k, v, bias, out, B, N, L, C, cs.heads, scale, 0);
            SV_HARNESS_CHECK(cudaEventRecord(e1));
            SV_HARNESS_CHECK(cudaEventSynchronize(e1));
            float t = 0;
            SV_HARNESS_CHECK(cudaEventElapsedTime(&t, e0, e1));
            ms.push_back(t);
        }
        std::sort(ms.begin(), ms.end());
        const double med = ms[ms.size() / 2];
        const double flops = 4.0 * B * N * L * C, bytes = 2.0 * (2 * B * N * C + 2 * B * L * C);
        std::printf("  TIME median %.4f ms (min %.4f, max %.4f): %.0f TFLOP/s, %.0f GB/s\n", med, ms.front(),
                    ms.back(), flops / med / 1e9, bytes / med / 1e6);
    }
    cudaFree(q), cudaFree(k), cudaFree(v), cudaFree(out), cudaFree(ref);
    if (bias) cudaFree(bias);
    return pass;
}

int main() {
    const Case cases[] = {
        {2, 1560, 300, 20, 112, false, 1, false}, {2, 1560, 300, 20, 112, false, 0, false},
        {2, 1000, 77, 20, 112, false, 1, false},  {2, 333, 513, 4, 112, false, 2, false},
        {1, 129, 300, 2, 16, false, 2, false},    {2, 77, 1, 3, 16, false, 0, false},
        {2, 200, 77, 4, 64, false, 1, false},     {2, 200, 65, 2, 8, false, 2, false},
        {2, 300, 100, 3, 40, false, 1, false},    {1, 150, 300, 2, 128, false, 1, false},
        {1, 150, 130, 2, 256, false, 2, false},   {2, 1000, 300, 20, 112, true, 1, false},
        {2, 130, 513, 4, 64, true, 2, false},     {2, 32760, 300, 20, 112, false, 1, true},
    };
    int failures = 0;
    uint32_t seed = 1;
    for (const Case& c : cases)
        failures += c.f16 ? !runCase<__half>(c, seed++) : !runCase<__nv_bfloat16>(c, seed++);
    std::printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
