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
        "usage: sanavideo make-demo-model DIR [--seed N] [--family sana-video|longsana]\n\n"
        "Writes a tiny SANA-Video model with random weights (a few MB) in the exact diffusers layout:\n"
        "model_index.json, transformer/, vae/, text_encoder/, tokenizer/, scheduler/. It produces "
        "noise-like\n"
        "videos but runs every code path in seconds on a CPU, e.g.\n"
        "  sanavideo generate --model DIR --prompt \"a red fox\" --height 64 --width 64 --frames 9 --steps 4 "
        "\\\n"
        "      --no-binning --out fox.mp4\n"
        "DIR must be empty, missing, or hold an earlier model (which is overwritten). Deterministic in "
        "--seed\n"
        "(default 0). --family longsana writes a LongSANA folder (LongSanaVideoPipeline, causal "
        "transformer):\n"
        "  sanavideo generate --model DIR --prompt \"a red fox\" --height 64 --width 64 --frames 41 \\\n"
        "      --chunk-frames 3 --no-binning --out fox.mp4   (three chunks, generated one after another)\n");
}

}  // namespace

int runMakeDemoModel(Args args) {
    std::string dir;
    uint64_t seed = 0;
    DemoModelFamily family = DemoModelFamily::SanaVideo;
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
            SV_CHECK(i + 1 < args.size(), "--family needs a value (sana-video or longsana)");
            const std::string& v = args[++i];
            SV_CHECK(v == "sana-video" || v == "longsana", "--family: \"", v,
                     "\" is not a model family (sana-video or longsana)");
            family = v == "longsana" ? DemoModelFamily::LongSana : DemoModelFamily::SanaVideo;
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
    std::printf("wrote the %sdemo model (random weights) to %s\n",
                family == DemoModelFamily::LongSana ? "LongSANA " : "", dir.c_str());
    return 0;
}

}  // namespace sv::cli
