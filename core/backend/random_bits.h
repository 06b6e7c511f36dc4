// The counter-based generator behind Backend::fillNormal / fillUniformInt, shared by the CPU and CUDA
// backends: element i of a fill depends only on (seed, i). splitmix64 (Steele, Lea and Flood, "Fast
// splittable pseudorandom number generators", 2014) hashes the counter; integers are therefore bit-identical
// across backends, normals differ only by the backends' log/cos rounding.
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define SV_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define SV_HOST_DEVICE inline
#endif

namespace sv::random_bits {

SV_HOST_DEVICE uint64_t splitmix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// The two hashes of element i for a Box–Muller normal.
SV_HOST_DEVICE uint64_t normalBits(uint64_t key, int64_t i, int which) {
    return splitmix64(key ^ uint64_t(2 * i + which));
}

/// A uniform float in (0, 1]: 24 random bits, never zero (its log is taken).
SV_HOST_DEVICE float unitOpen(uint64_t bits) {
    return (float((bits >> 40) & 0xFFFFFFull) + 1.0f) * (1.0f / 16777216.0f);
}

/// Element i of a uniform integer fill in [lo, lo + span).
SV_HOST_DEVICE int64_t uniformInt(uint64_t key, int64_t i, int64_t lo, uint64_t span) {
    return lo + int64_t(splitmix64(key ^ uint64_t(i)) % span);
}

}  // namespace sv::random_bits
