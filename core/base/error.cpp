#include "base/error.h"

#include <cstdio>
#include <cstdlib>

namespace sv {

void assertFail(const char* expr, const char* file, int line, const std::string& message) {
    std::fprintf(stderr, "%s:%d: internal error: assertion `%s` failed%s%s\n", file, line, expr,
                 message.empty() ? "" : ": ", message.c_str());
    std::fflush(stderr);
    std::abort();
}

}  // namespace sv
