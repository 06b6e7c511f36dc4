// Stable 64-bit hashing used for cache keys and value identities (FNV-1a mixed with splitmix64). Stable
// across runs and processes of the same build (no std::hash, no pointers).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace sv::plugin {

class Hasher {
  public:
    Hasher& add(std::string_view s) {
        addU64(s.size());
        for (unsigned char c : s) h_ = (h_ ^ c) * 0x100000001b3ULL;
        return *this;
    }
    Hasher& addU64(uint64_t v) {
        h_ = mix(h_ ^ (v + 0x9e3779b97f4a7c15ULL));
        return *this;
    }
    Hasher& addDouble(double d) {
        if (d == 0.0) d = 0.0;  // +0 and -0 hash alike
        uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        return addU64(bits);
    }
    uint64_t value() const { return mix(h_); }

    static uint64_t mix(uint64_t x) {
        x += 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
    }

  private:
    uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace sv::plugin
