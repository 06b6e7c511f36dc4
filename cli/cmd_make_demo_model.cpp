// `sanavideo make-demo-model DIR`: writes a tiny random-weight SANA-Video model in the diffusers layout
// (core/pipelines/demo_model.h), so generate/info/the editor can run without downloading anything.
#include <charconv>
#include <cstdio>
#include <string>

#include "base/error.h"
#include "commands.h"
#include "demo_resources.h"
#include "pipelines/demo_model.h"

namespace sv::cli {

namespace {

void printUsage() {
    std::printf(
        "usage: sanavideo make-demo-model DIR [--seed N] [--family 480p|720p|longsana]\n\n"
        "Writes a tiny SANA-Video model with random weights (a few MB) in the exact diffusers layout:\n"
        "model_index.json, transformer/, vae/, text_encoder/, tokenizer/, scheduler/. It produces "
        "noise-like\n"
        "videos but runs every code path in seconds on a CPU, e.g.\n"
        "  sanavideo generate --model DIR --prompt \"a red fox\" --height 64 --width 64 --frames 9 --steps 4 "
        "\\\n"
        "      --no-binning --out fox.mp4\n"
        "DIR must be empty, missing, or hold an earlier model (which is overwritten). Deterministic in "
        "--seed\n"
        "(default 0). --family 720p writes the 720p layout instead (1x1 patches, the LTX-2 VAE with 32x\n"
        "spatial / 8x temporal compression; sizes multiples of 32, frames 8k+1, e.g. --frames 9); the\n"
        "default is 480p (2x2 patches, the Wan 2.1 VAE). --family longsana writes a LongSANA folder\n"
        "(LongSanaVideoPipeline, causal transformer, the 480p layout):\n"
        "  sanavideo generate --model DIR --prompt \"a red fox\" --height 64 --width 64 --frames 41 \\\n"
        "      --chunk-frames 3 --no-binning --out fox.mp4   (three chunks, generated one after another)\n");
}

}  // namespace

int runMakeDemoModel(Args args) {
    std::string dir;
    uint64_t seed = 0;
    DemoFamily family = DemoFamily::Wan480p;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            printUsage();
            return 0;
        }
        if (a == "--seed") {
            SV_CHECK(i + 1 < args.size(), "--seed needs a value");
            const std::string& v = args[++i];
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seed);
            SV_CHECK(ec == std::errc() && p == v.data() + v.size(), "--seed: \"", v,
                     "\" is not a non-negative integer");
        } else if (a == "--family") {
            SV_CHECK(i + 1 < args.size(), "--family needs a value (480p, 720p or longsana)");
            const std::string& v = args[++i];
            SV_CHECK(v == "480p" || v == "720p" || v == "longsana", "--family: \"", v,
                     "\" is not 480p, 720p or longsana");
            family = v == "720p"       ? DemoFamily::Ltx720p
                     : v == "longsana" ? DemoFamily::LongSana
                                       : DemoFamily::Wan480p;
        } else if (a.starts_with("-") || !dir.empty()) {
            std::fprintf(stderr, "sanavideo make-demo-model: unexpected argument %s\n", a.c_str());
            printUsage();
            return 2;
        } else {
            dir = a;
        }
    }
    if (dir.empty()) {
        printUsage();
        return 2;
    }
    writeDemoModel(dir, demoTokenizerModel(), seed, family);
    std::printf("wrote the %s demo model (random weights) to %s\n",
                family == DemoFamily::Ltx720p    ? "720p (LTX-2 VAE)"
                : family == DemoFamily::LongSana ? "LongSANA (Wan VAE)"
                                                 : "480p (Wan VAE)",
                dir.c_str());
    return 0;
}

}  // namespace sv::cli
