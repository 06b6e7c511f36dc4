#include "commands.h"

namespace sv::cli {

// Declared here, defined in cmd_<name>.cpp.
int runVersion(Args args);
#ifdef SV_CLI_WITH_PLUGIN
int runRun(Args args);
int runNodes(Args args);
#endif

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"version", "print the version and the compiled-in backends", runVersion},
#ifdef SV_CLI_WITH_PLUGIN
        {"run", "run a saved node graph headless (GRAPH.json [--set NODE.PARAM=VALUE ...])", runRun},
        {"nodes", "list every node type with its ports and parameters", runNodes},
#endif
    };
    return kCommands;
}

}  // namespace sv::cli
