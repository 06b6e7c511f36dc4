// Op profiling of the CUDA backend (profile.h): event pairs recorded on the device's stream while profiling
// is on, summed per op name when taken.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "cuda/context.cuh"
#include "cuda/profile.h"

namespace sv::cuda {

namespace {

struct Record {
    const char* name;
    int device;
    cudaEvent_t start, stop;
};

// Process-wide diagnostic state (like the allocator's statistics), guarded by a mutex.
struct Profiler {
    std::mutex mutex;
    bool on = [] {
        const char* e = std::getenv("SV_CUDA_PROFILE");
        return e && *e && std::string(e) != "0";
    }();
    std::vector<Record> records;
};

Profiler& profiler() {
    static Profiler p;
    return p;
}

}  // namespace

void setOpProfiling(bool on) {
    std::lock_guard lock(profiler().mutex);
    profiler().on = on;
}

bool opProfiling() {
    std::lock_guard lock(profiler().mutex);
    return profiler().on;
}

OpScope::OpScope(const char* name, int device) : name_(name), device_(device) {
    if (!opProfiling()) return;
    cudaEvent_t e = nullptr;
    SV_CUDA_CHECK(cudaEventCreate(&e));
    SV_CUDA_CHECK(cudaEventRecord(e, deviceContext(device).stream));
    start_ = e;
}

OpScope::~OpScope() {
    if (!start_) return;
    cudaEvent_t stop = nullptr;
    if (cudaEventCreate(&stop) != cudaSuccess) return;
    cudaEventRecord(stop, deviceContext(device_).stream);
    std::lock_guard lock(profiler().mutex);
    profiler().records.push_back({name_, device_, static_cast<cudaEvent_t>(start_), stop});
}

std::vector<OpTime> takeOpProfile(int device) {
    std::vector<Record> records;
    {
        std::lock_guard lock(profiler().mutex);
        records.swap(profiler().records);
    }
    SV_CUDA_CHECK(cudaStreamSynchronize(deviceContext(device).stream));
    std::map<std::string, OpTime> sums;
    for (const Record& r : records) {
        float ms = 0.0f;
        cudaEventElapsedTime(&ms, r.start, r.stop);
        OpTime& t = sums[r.name];
        t.name = r.name;
        t.milliseconds += ms;
        ++t.calls;
        cudaEventDestroy(r.start);
        cudaEventDestroy(r.stop);
    }
    std::vector<OpTime> out;
    for (auto& [name, t] : sums) out.push_back(t);
    std::sort(out.begin(), out.end(),
              [](const OpTime& a, const OpTime& b) { return a.milliseconds > b.milliseconds; });
    return out;
}

}  // namespace sv::cuda
