#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "base/error.h"
#include "commands.h"

namespace {

void printUsage() {
    std::printf(
        "sanavideo — SANA-Video text-to-video and image-to-video, native C++/CUDA\n\n"
        "usage: sanavideo <command> [options]   (sanavideo <command> --help for details)\n\ncommands:\n");
    for (const auto& c : sv::cli::commands())
        std::printf("  %-16.*s %.*s\n", int(c.name.size()), c.name.data(), int(c.summary.size()),
                    c.summary.data());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printUsage();
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::printf("sanavideo %s\n", SV_VERSION_STRING);
        return 0;
    }
    for (const auto& c : sv::cli::commands()) {
        if (c.name != args[0]) continue;
        try {
            return c.run(sv::cli::Args(args).subspan(1));
        } catch (const sv::Error& e) {
            std::fprintf(stderr, "sanavideo %s: error: %s\n", args[0].c_str(), e.what());
            return 1;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "sanavideo %s: internal error: %s\n", args[0].c_str(), e.what());
            return 3;
        }
    }
    std::fprintf(stderr, "sanavideo: unknown command \"%s\" (see sanavideo --help)\n", args[0].c_str());
    return 2;
}
