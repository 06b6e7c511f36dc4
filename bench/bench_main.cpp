// sv_bench [options] — the same as `sanavideo bench [options]`, without the media libraries.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"

namespace sv::cli {
int runBench(Args args);
}

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        return sv::cli::runBench(args);
    } catch (const sv::Error& e) {
        std::fprintf(stderr, "sv_bench: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sv_bench: internal error: %s\n", e.what());
        return 3;
    }
}
