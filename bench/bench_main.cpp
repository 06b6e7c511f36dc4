// sv_bench [options] — the same as `sanavideo bench [options]`, without the media libraries.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "commands.h"

namespace sv::cli {
CommandRun setupBench(CLI::App& cmd);
}

int main(int argc, char** argv) {
    CLI::App app{"sv_bench: sanavideo bench without the media libraries", "sv_bench"};
    const sv::cli::CommandRun run = sv::cli::setupBench(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        return run();
    } catch (const sv::Error& e) {
        std::fprintf(stderr, "sv_bench: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sv_bench: internal error: %s\n", e.what());
        return 3;
    }
}
