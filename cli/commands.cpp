#include "commands.h"

namespace sv::cli {

// Declared here, defined in cmd_<name>.cpp.
int runVersion(Args args);
int runInfo(Args args);
int runSchedule(Args args);
int runGenerate(Args args);
int runMakeDemoModel(Args args);
int runGraphFrom(Args args);
int runBench(Args args);
#ifdef SV_CLI_WITH_PLUGIN
int runRun(Args args);
int runNodes(Args args);
int runSweep(Args args);
int runSubmit(Args args);
int runJobs(Args args);
#endif

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"version", "print the version and the compiled-in backends", runVersion},
        {"info", "list a model folder's components, dtypes and parameter counts", runInfo},
        {"schedule", "print a scheduler's timesteps and sigmas", runSchedule},
        {"generate", "generate a video from a prompt (and an image) with a model folder", runGenerate},
        {"make-demo-model", "write a tiny random-weight model in the diffusers layout", runMakeDemoModel},
#ifdef SV_CLI_WITH_PLUGIN
        {"run", "run a saved node graph headless (GRAPH.json [--set NODE.PARAM=VALUE ...])", runRun},
        {"nodes", "list every node type with its ports and parameters", runNodes},
        {"sweep", "run every variant of a parameter sweep in one process, the models loaded once", runSweep},
        {"submit", "submit a sweep to a render farm (Slurm) as a job array", runSubmit},
        {"jobs", "list farm jobs with per-task state; show, cancel, resubmit or wait for one", runJobs},
#endif
        {"graph-from", "print the node graph embedded in a video written by Save Video", runGraphFrom},
        {"bench", "time text encode, sampling and VAE decode at full size with random GPU weights", runBench},
    };
    return kCommands;
}

}  // namespace sv::cli
