#include "plugin/sdk/node.h"

#include <system_error>

#include "plugin/sdk/test_context.h"

namespace sv::plugin {

std::string_view logLevelName(LogLevel l) {
    switch (l) {
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warning:
            return "warning";
        case LogLevel::Error:
            return "error";
    }
    return "?";
}

std::string fileFingerprint(const std::filesystem::path& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) return {};
    auto time = std::filesystem::last_write_time(path, ec);
    if (ec) return {};
    return concat(size, ":", time.time_since_epoch().count());
}

void TestNodeContext::progress(int64_t k, int64_t n) {
    progressCalls.emplace_back(k, n);
    if (cancelAfterProgressCalls >= 0 && int64_t(progressCalls.size()) >= cancelAfterProgressCalls)
        cancelled = true;
}

}  // namespace sv::plugin
