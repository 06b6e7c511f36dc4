// `sanavideo graph-from FILE`: prints the node graph embedded in a video written by the Save Video node (MP4
// metadata), kept next to a frame sequence (FOLDER/graph.json) or in a latent file (Save Latent). The reading
// is the SDK's (plugin/graph/graph_file.h), shared with `run` and the editor.
#ifdef SV_CLI_WITH_PLUGIN
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "plugin/graph/graph_file.h"
#include "terminal_text.h"

namespace sv::cli {

CommandRun setupGraphFrom(CLI::App& cmd) {
    cmd.footer(
        "Prints the node graph (JSON) that produced FILE: an MP4 written by Save Video (graph in the "
        "metadata), a frame-sequence folder written by Save Video (its graph.json), or a .safetensors latent "
        "file written by Save Latent. Save the output as GRAPH.json and run it with `sanavideo run` (which "
        "also takes FILE itself).");
    auto file = std::make_shared<std::string>();
    cmd.add_option("FILE", *file, "the MP4, folder or .safetensors file")->required();
    return [file] {
        const std::string text = plugin::embeddedGraphText(*file);  // checked: a graph document
        std::printf("%s\n", terminalSafeJson(nlohmann::json::parse(text)).c_str());
        return 0;
    };
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
