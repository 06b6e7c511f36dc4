// `sanavideo make-demo-model DIR`: writes a tiny random-weight SANA-Video model in the diffusers layout
// (core/pipelines/demo_model.h), so generate/info/the editor can run without downloading anything.
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli_options.h"
#include "commands.h"
#include "demo_resources.h"
#include "pipelines/demo_model.h"
#include "terminal_text.h"

namespace sv::cli {

namespace {

struct DemoOptions {
    std::string dir;
    uint64_t seed = 0;
};

}  // namespace

CommandRun setupMakeDemoModel(CLI::App& cmd) {
    cmd.footer(
        "Writes a tiny SANA-Video model with random weights (a few MB) in the exact diffusers layout: "
        "model_index.json, transformer/, vae/, text_encoder/, tokenizer/, scheduler/. It produces noise-like "
        "videos but runs every code path in seconds on a CPU, e.g.\n  sanavideo generate --model DIR "
        "--prompt \"a red fox\" --height 64 --width 64 --frames 9 --steps 4 --no-binning --out fox.mp4\nDIR "
        "must be empty, missing, or hold an earlier model (which is overwritten).");
    auto o = std::make_shared<DemoOptions>();
    cmd.add_option("DIR", o->dir, "the folder to write")->required();
    addUnsigned(cmd, "--seed", o->seed, std::numeric_limits<uint64_t>::max(),
                "seed of the random weights (default 0; the model is deterministic in it)");
    return [o] {
        writeDemoModel(o->dir, demoTokenizerModel(), o->seed);
        printLine(stdout, concat("wrote the demo model (random weights) to ", o->dir));
        return 0;
    };
}

}  // namespace sv::cli
