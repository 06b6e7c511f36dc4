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
    DemoFamily family = DemoFamily::Wan480p;
};

const char* familyCaption(DemoFamily f) {
    switch (f) {
        case DemoFamily::Ltx720p:
            return "720p (LTX-2 VAE)";
        case DemoFamily::LongSana:
            return "LongSANA (Wan VAE)";
        case DemoFamily::Wan480p:
            break;
    }
    return "480p (Wan VAE)";
}

}  // namespace

CommandRun setupMakeDemoModel(CLI::App& cmd) {
    cmd.footer(
        "Writes a tiny SANA-Video model with random weights (a few MB) in the exact diffusers layout: "
        "model_index.json, transformer/, vae/, text_encoder/, tokenizer/, scheduler/. It produces noise-like "
        "videos but runs every code path in seconds on a CPU, e.g.\n  sanavideo generate --model DIR "
        "--prompt \"a red fox\" --height 64 --width 64 --frames 9 --steps 4 --no-binning --out fox.mp4\nDIR "
        "must be empty, missing, or hold an earlier model (which is overwritten). --family 720p writes the "
        "720p layout instead (1x1 patches, the LTX-2 VAE with 32x spatial / 8x temporal compression; sizes "
        "multiples of 32, frames 8k+1, e.g. --frames 9); --family longsana a LongSANA folder "
        "(LongSanaVideoPipeline, causal transformer, the 480p layout), e.g.\n  sanavideo generate --model "
        "DIR --prompt \"a red fox\" --height 64 --width 64 --frames 41 --chunk-frames 3 --no-binning --out "
        "fox.mp4   (three chunks, generated one after another)");
    auto o = std::make_shared<DemoOptions>();
    cmd.add_option("DIR", o->dir, "the folder to write")->required();
    addUnsigned(cmd, "--seed", o->seed, std::numeric_limits<uint64_t>::max(),
                "seed of the random weights (default 0; the model is deterministic in it)");
    cmd.add_option_function<std::string>(
           "--family",
           [o](const std::string& v) {
               if (v != "480p" && v != "720p" && v != "longsana")
                   throw CLI::ValidationError("--family",
                                              concat("\"", v, "\" is not 480p, 720p or longsana"));
               o->family = v == "720p"       ? DemoFamily::Ltx720p
                           : v == "longsana" ? DemoFamily::LongSana
                                             : DemoFamily::Wan480p;
           },
           "480p (2x2 patches, Wan 2.1 VAE), 720p (1x1 patches, LTX-2 VAE) or longsana (the causal "
           "transformer of LongSANA) [480p]")
        ->type_name("FAMILY");
    return [o] {
        writeDemoModel(o->dir, demoTokenizerModel(), o->seed, o->family);
        printLine(stdout,
                  concat("wrote the ", familyCaption(o->family), " demo model (random weights) to ", o->dir));
        return 0;
    };
}

}  // namespace sv::cli
