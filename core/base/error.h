// Errors: sv::Error for bad input (thrown, caught at node/CLI/UI boundaries, message names the culprit) and
// SV_ASSERT for programmer errors (always on, aborts with file and line).
#pragma once

#include <cstdint>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sv {

/// `text` with every control character except newline and tab (ESC, NUL, CR, DEL, the C1 range) and every
/// byte that is not UTF-8 written as an escape such as "\x1b": what a message may show of a hostile input
/// without driving the terminal it is printed on.
std::string sanitizeMessage(std::string_view text);

/// A quotable excerpt of input text for a message: sanitized like sanitizeMessage (newlines and tabs escaped
/// too), cut to about `maxBytes` bytes with the full size noted ("…" + " (301234 bytes)"). Use it wherever a
/// message quotes a value, a file's bytes or a list read from input.
std::string excerpt(std::string_view text, size_t maxBytes = 120);

/// "512 B", "1.5 kB", "3.2 GB" (decimal units).
std::string formatBytes(uint64_t bytes);

/// The message to show for an exception caught at a boundary: e.what() for sv::Error, "out of memory" for
/// std::bad_alloc (whose what() is the bare "std::bad_alloc"), and the type's what() otherwise.
std::string describeException(const std::exception& e);

/// The one exception type for bad input: a broken file, an invalid parameter, an unsupported shape.
/// Its message names the file, tensor or parameter at fault. The message is passed through sanitizeMessage,
/// so control characters from a file or a parameter never reach a terminal.
class Error : public std::runtime_error {
  public:
    explicit Error(std::string_view message) : std::runtime_error(sanitizeMessage(message)) {}
    explicit Error(const std::string& message) : Error(std::string_view(message)) {}
    explicit Error(const char* message) : Error(std::string_view(message)) {}
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
