#include "backend/device.h"

#include "backend/registry.h"

namespace sv::device {

namespace {

// The backend of an existing device; sv::Error naming the device otherwise.
const Backend& backendOf(Device d) {
    const Backend& b = backend::of(d);
    SV_CHECK(d.index >= 0 && d.index < b.deviceCount(), "no device ", d.toString(), " (", b.deviceCount(),
             " ", b.name(), " device", b.deviceCount() == 1 ? "" : "s", " present)");
    return b;
}

}  // namespace

bool compiled(Device::Kind kind) {
    return backend::find(kind) != nullptr;
}

int count(Device::Kind kind) {
    const Backend* b = backend::find(kind);
    return b ? b->deviceCount() : 0;
}

bool available(Device d) {
    return d.index >= 0 && d.index < count(d.kind);
}

std::vector<Device> list() {
    std::vector<Device> out;
    for (const Backend* b : backend::all())
        for (int i = 0; i < b->deviceCount(); ++i) out.push_back({b->kind(), i});
    return out;
}

std::string name(Device d) {
    return available(d) ? backend::of(d).deviceName(d.index) : std::string();
}

int computeCapability(Device d) {
    return available(d) ? backend::of(d).computeCapability(d.index) : 0;
}

void synchronize(Device d) {
    backendOf(d).synchronize(d.index);
}

MemoryStats memoryStats(Device d) {
    return backendOf(d).memoryStats(d.index);
}

void resetPeakMemory(Device d) {
    backendOf(d).resetPeakMemory(d.index);
}

void releaseCachedMemory(Device d) {
    backendOf(d).releaseCachedMemory(d.index);
}

void fillNormal(const Tensor& t, uint64_t seed, float mean, float stddev) {
    SV_ASSERT_MSG(t.isContiguous() && isFloating(t.dtype()), "fillNormal: ", t.describe());
    backendOf(t.device()).fillNormal(t, seed, mean, stddev);
}

void fillUniformInt(const Tensor& t, uint64_t seed, int64_t lo, int64_t hi) {
    SV_ASSERT_MSG(t.isContiguous() && t.dtype() == DType::I64 && hi > lo, "fillUniformInt: ", t.describe(),
                  " in [", lo, ", ", hi, ")");
    backendOf(t.device()).fillUniformInt(t, seed, lo, hi);
}

void setOpProfiling(bool on) {
    for (const Backend* b : backend::all()) b->setOpProfiling(on);
}

std::vector<OpTime> takeOpProfile(Device d) {
    return backendOf(d).takeOpProfile(d.index);
}

double Stopwatch::seconds() const {
    synchronize(device_);
    return std::chrono::duration<double>(Clock::now() - start_).count();
}

}  // namespace sv::device
