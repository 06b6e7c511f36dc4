#include "commands.h"

namespace sv::cli {

// Declared here, defined in cmd_<name>.cpp.
CommandRun setupVersion(CLI::App& cmd);
CommandRun setupInfo(CLI::App& cmd);
CommandRun setupSchedule(CLI::App& cmd);
CommandRun setupMakeDemoModel(CLI::App& cmd);
CommandRun setupBench(CLI::App& cmd);
#ifdef SV_CLI_WITH_PLUGIN
CommandRun setupGenerate(CLI::App& cmd);
CommandRun setupDecode(CLI::App& cmd);
CommandRun setupRun(CLI::App& cmd);
CommandRun setupNodes(CLI::App& cmd);
CommandRun setupGraphFrom(CLI::App& cmd);
CommandRun setupSweep(CLI::App& cmd);
CommandRun setupSubmit(CLI::App& cmd);
CommandRun setupJobs(CLI::App& cmd);
#endif

std::span<const Command> commands() {
    static constexpr Command kCommands[] = {
        {"version", "print the version, the compiled-in backends and the engine the node packs use",
         setupVersion},
        {"info", "list a model folder's components, dtypes and parameter counts", setupInfo},
        {"schedule", "print a scheduler's timesteps and sigmas", setupSchedule},
#ifdef SV_CLI_WITH_PLUGIN
        {"generate", "generate a video from a prompt (and an image): the default graph with your settings",
         setupGenerate},
        {"decode", "decode latents (generate --save-latents, Save Latent) into a video with a model's VAE",
         setupDecode},
#endif
        {"make-demo-model", "write a tiny random-weight model in the diffusers layout", setupMakeDemoModel},
#ifdef SV_CLI_WITH_PLUGIN
        {"run", "run a saved node graph headless (a graph JSON, or a file with one embedded)", setupRun},
        {"nodes", "list every node type with its ports and parameters", setupNodes},
        {"sweep", "run every variant of a parameter sweep in one process, the models loaded once",
         setupSweep},
        {"submit", "submit a sweep to a render farm (Slurm) as a job array", setupSubmit},
        {"jobs", "list farm jobs with per-task state; show, cancel, resubmit or wait for one", setupJobs},
        {"graph-from", "print the node graph embedded in a file written by Save Video or Save Latent",
         setupGraphFrom},
#endif
        {"bench", "time text encode, sampling and VAE decode at full size with random GPU weights",
         setupBench},
    };
    return kCommands;
}

}  // namespace sv::cli
