#include "commands.h"

namespace sv::cli {

// Declared here, defined in cmd_<name>.cpp.
int runVersion(Args args);
int runBench(Args args);

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"version", "print the version and the compiled-in backends", runVersion},
        {"bench", "time text encode, sampling and VAE decode at full size with random GPU weights", runBench},
    };
    return kCommands;
}

}  // namespace sv::cli
