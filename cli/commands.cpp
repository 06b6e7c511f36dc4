#include "commands.h"

namespace sv::cli {

// Declared here, defined in cmd_<name>.cpp.
int runVersion(Args args);

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"version", "print the version and the compiled-in backends", runVersion},
    };
    return kCommands;
}

}  // namespace sv::cli
