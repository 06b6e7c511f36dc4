// Test support for hostile inputs: FIFOs, devices and folders where a file is expected. A reader that blocks
// on a FIFO would hang the test, so calls run on a helper thread and must finish within a second; when one
// does not, the FIFO is opened for writing once to release it and the test fails.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <string>

#include <gtest/gtest.h>

#include "base/error.h"

namespace sv::test {

/// How many entries are below `dir`, recursively (symbolic links are not followed): 0 means nothing was
/// written.
inline size_t entriesBelow(const std::filesystem::path& dir) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::recursive_directory_iterator(dir)) ++n;
    return n;
}

/// Creates a named pipe at `path`.
inline void makeFifo(const std::filesystem::path& path) {
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << path;
}

/// Runs `fn`, expecting it to throw sv::Error containing `fragment` within one second. `fifo`: a named pipe
/// the call might block on, released if it does.
inline void expectRefusedQuickly(const std::function<void()>& fn, const std::string& fragment,
                                 const std::filesystem::path& fifo = {}) {
    auto future = std::async(std::launch::async, [&]() -> std::string {
        try {
            fn();
        } catch (const Error& e) {
            return e.what();
        }
        return "(no error)";
    });
    if (future.wait_for(std::chrono::seconds(1)) != std::future_status::ready) {
        ADD_FAILURE() << "still running after a second: blocked on the input (expected: " << fragment << ")";
        if (!fifo.empty()) {  // unblock a reader waiting in open(), then make its read end
            const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
            if (fd >= 0) ::close(fd);
        }
    }
    const std::string message = future.get();
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
}

}  // namespace sv::test
