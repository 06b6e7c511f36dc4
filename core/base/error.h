// Errors: sv::Error for bad input (thrown, caught at node/CLI/UI boundaries, message names the culprit) and
// SV_ASSERT for programmer errors (always on, aborts with file and line).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace sv {

/// The one exception type for bad input: a broken file, an invalid parameter, an unsupported shape.
/// Its message names the file, tensor or parameter at fault.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

[[noreturn]] void assertFail(const char* expr, const char* file, int line, const std::string& message = {});

/// Concatenates the arguments with operator<< into one string.
template <class... Args>
std::string concat(Args&&... args) {
    std::ostringstream os;
    (os << ... << std::forward<Args>(args));
    return os.str();
}

/// Throws sv::Error with the concatenated arguments as message.
template <class... Args>
[[noreturn]] void fail(Args&&... args) {
    throw Error(concat(std::forward<Args>(args)...));
}

}  // namespace sv

#define SV_ASSERT(cond)                                           \
    do {                                                          \
        if (!(cond)) ::sv::assertFail(#cond, __FILE__, __LINE__); \
    } while (0)

#define SV_ASSERT_MSG(cond, ...)                                                             \
    do {                                                                                     \
        if (!(cond)) ::sv::assertFail(#cond, __FILE__, __LINE__, ::sv::concat(__VA_ARGS__)); \
    } while (0)

/// Input validation: throws sv::Error with the concatenated message when cond is false.
#define SV_CHECK(cond, ...)                   \
    do {                                      \
        if (!(cond)) ::sv::fail(__VA_ARGS__); \
    } while (0)
