#include "commands.h"

namespace sv::cli {

// Declared here, defined in cmd_<name>.cpp.
int runVersion(Args args);
int runInfo(Args args);
int runSchedule(Args args);

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"version", "print the version and the compiled-in backends", runVersion},
        {"info", "list a model folder's components, dtypes and parameter counts", runInfo},
        {"schedule", "print a scheduler's timesteps and sigmas", runSchedule},
    };
    return kCommands;
}

}  // namespace sv::cli
