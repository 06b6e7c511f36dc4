// GPU test support: which profiled op scopes (device::takeOpProfile names) a call entered, to check that a
// fast path really ran.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/device.h"

namespace sv::test {

/// The names of the op scopes `call` entered on the first CUDA device (op profiling on for the call only).
inline std::vector<std::string> convOpsRun(const std::function<void()>& call) {
    device::setOpProfiling(true);
    (void)device::takeOpProfile(Device::cuda());
    call();
    std::vector<std::string> names;
    for (const auto& t : device::takeOpProfile(Device::cuda())) names.push_back(t.name);
    device::setOpProfiling(false);
    return names;
}

inline bool ran(const std::vector<std::string>& names, std::string_view op) {
    return std::find(names.begin(), names.end(), op) != names.end();
}

}  // namespace sv::test
