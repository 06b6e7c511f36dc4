// GPU test support: which profiled CUDA op scopes (cuda/profile.h OpScope names) a call entered, to check
// that a fast path really ran.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cuda/profile.h"

namespace sv::test {

/// The names of the op scopes `call` entered (op profiling on for the call only).
inline std::vector<std::string> convOpsRun(const std::function<void()>& call) {
    cuda::setOpProfiling(true);
    (void)cuda::takeOpProfile();
    call();
    std::vector<std::string> names;
    for (const auto& t : cuda::takeOpProfile()) names.push_back(t.name);
    cuda::setOpProfiling(false);
    return names;
}

inline bool ran(const std::vector<std::string>& names, std::string_view op) {
    return std::find(names.begin(), names.end(), op) != names.end();
}

}  // namespace sv::test
