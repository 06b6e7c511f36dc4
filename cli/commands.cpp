#include "commands.h"

namespace sv::cli {

// Declared here, defined in cmd_<name>.cpp.
int runVersion(Args args);
int runInfo(Args args);
int runSchedule(Args args);
#ifdef SV_CLI_WITH_PLUGIN
int runRun(Args args);
int runNodes(Args args);
#endif

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"version", "print the version and the compiled-in backends", runVersion},
        {"info", "list a model folder's components, dtypes and parameter counts", runInfo},
        {"schedule", "print a scheduler's timesteps and sigmas", runSchedule},
#ifdef SV_CLI_WITH_PLUGIN
        {"run", "run a saved node graph headless (GRAPH.json [--set NODE.PARAM=VALUE ...])", runRun},
        {"nodes", "list every node type with its ports and parameters", runNodes},
#endif
    };
    return kCommands;
}

}  // namespace sv::cli
