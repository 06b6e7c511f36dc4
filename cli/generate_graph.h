// The graph `sanavideo generate` runs: the default graph of the model and the options (generate_options.h),
// with the graph edits the options ask for — a chain of Load LoRA nodes for several --lora, one VAE Decode
// and Save Video per video of a batch (several --prompt × --num-videos), and for --continue the nodes that
// read the clip, take its last frame and append the new frames to it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "generate_options.h"
#include "output_target.h"
#include "plugin/exec/executor.h"
#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"

namespace sv::cli {

struct GenerateOptions {
    std::map<std::string, std::string, std::less<>> values;              // value options: the last given
    std::map<std::string, std::vector<std::string>, std::less<>> lists;  // repeatable options, in order
    std::set<std::string, std::less<>> flags;                            // the flags given
    std::string out;
    bool overwrite = false;
    std::optional<double> seconds;  // --seconds: the length instead of --frames
    std::string continueClip;       // --continue: the clip to continue
    bool longVideo = false;         // --long: the long-video graph whatever the folder looks like
    std::string timings;            // --timings FILE.json: the run's stage times, peak memory
    std::string saveLatents;        // --save-latents FILE.safetensors: the sampled latents too
    bool noDecode = false;          // --no-decode: only the latents (no VAE decode, no video, no --out)
};

/// The default graph for the options: the long-video graph for a LongSANA model folder (or --long),
/// image-to-video with
/// --image or --continue, else text-to-video.
GraphKind chooseGraph(const GenerateOptions& o);

/// The graph with the command line written into it, validated. Tells `target` how many videos it writes
/// (null with --no-decode: no video). sv::Error "<flag>: ..." for a bad value or an option the chosen graph
/// has no node for.
plugin::GraphDocument buildGenerateGraph(const GenerateOptions& o, GraphKind kind,
                                         const plugin::Executor& executor, OutputTarget* target);

/// Makes the graph's VAE Decode → Save Video write `target`: one VAE Decode (its `video` index) and Save
/// Video per video of the batch (target.videoCount()), each Save Video writing its staged name in the
/// target's format. Returns the Save Video ids, in batch order. Used by generate and decode.
std::vector<std::string> addVideoOutputs(plugin::GraphDocument& doc, const plugin::NodeRegistry& registry,
                                         const OutputTarget& target);

}  // namespace sv::cli
