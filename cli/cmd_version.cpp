// `sanavideo version`: the version, the backends compiled in, where the engine library was loaded from and,
// with the node SDK, whether every node pack runs on that same engine (one thread pool, one CUDA context).
#include <dlfcn.h>

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "backend/device.h"
#include "base/engine_instance.h"
#include "base/error.h"
#include "commands.h"
#include "terminal_text.h"
#ifdef SV_CLI_WITH_PLUGIN
#include "node_packs.h"
#endif

namespace sv::cli {

namespace {

/// The file the engine library was loaded from ("" when the loader cannot tell).
std::string engineLibrary() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&engineInstance), &info) == 0 || !info.dli_fname) return {};
    return info.dli_fname;
}

int runVersion() {
    std::printf("sanavideo %s\n", SV_VERSION_STRING);
    if (device::compiled(Device::Kind::Cuda))
        std::printf("CUDA backend: compiled in, %s\n",
                    device::count(Device::Kind::Cuda) > 0 ? "GPU available" : "no GPU found");
    else
        std::printf("CUDA backend: not compiled in (CPU-only build)\n");
    printLine(stdout, concat("engine: ", engineLibrary(), " (instance ", engineInstance(), ")"));
#ifdef SV_CLI_WITH_PLUGIN
    plugin::NodeRegistry registry;
    for (const auto& r : loadNodePacks(registry, {}, "version")) {
        if (!r.loaded) continue;
        const std::string sharing = engineSharing(r);
        printLine(stdout, concat("node pack ", r.pack, ": ", r.file.string(), ", ", r.nodeTypes.size(),
                                 " node types", sharing.empty() ? "" : ", " + sharing));
    }
#endif
    return 0;
}

}  // namespace

CommandRun setupVersion(CLI::App&) {
    return runVersion;
}

}  // namespace sv::cli
