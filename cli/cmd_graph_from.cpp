// `sanavideo graph-from FILE`: prints the node graph embedded in a video written by the Save Video node (MP4
// metadata), or kept next to a frame sequence (FOLDER/graph.json) or in a latent file (Save Latent).
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "commands.h"
#include "io/input_file.h"
#include "io/safetensors.h"
#include "media/video_writer.h"

namespace fs = std::filesystem;

namespace sv::cli {

namespace {

constexpr const char* kGraphFormat = "sanavideo.graph";  // the "format" marker of graph JSON

void printGraphFromUsage() {
    std::printf(
        "usage: sanavideo graph-from FILE\n\n"
        "Prints the node graph (JSON) that produced FILE: an MP4 written by Save Video (graph in the\n"
        "metadata), a frame-sequence folder written by Save Video (its graph.json), or a .safetensors "
        "latent\n"
        "file written by Save Latent. Save the output as GRAPH.json and run it with `sanavideo run`.\n");
}

/// The graph text of `file`, or "" when the file holds none.
std::string embeddedGraph(const fs::path& file) {
    if (fs::is_directory(file)) {
        const fs::path g = file / "graph.json";
        return fs::exists(g) ? io::readInputFile(g, io::InputKind::Graph) : std::string();
    }
    if (file.extension() == ".safetensors") {
        auto st = SafetensorsFile::open(file, io::InputKind::Latent);
        auto it = st->metadata().find("graph");
        return it == st->metadata().end() ? std::string() : it->second;
    }
    const auto meta = media::readVideoMetadata(file);
    auto it = meta.find(media::kGraphMetadataKey);
    return it == meta.end() ? std::string() : it->second;
}

}  // namespace

int runGraphFrom(Args args) {
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        printGraphFromUsage();
        return 0;
    }
    if (args.size() != 1 || args[0].starts_with("-")) {
        printGraphFromUsage();
        return 2;
    }
    const fs::path file = args[0];
    SV_CHECK(fs::exists(file), file.string(), ": no such file");
    const std::string text = embeddedGraph(file);
    SV_CHECK(!text.empty(), file.string(),
             ": no node graph embedded (only files written by Save Video or Save "
             "Latent carry one)");
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    SV_CHECK(j.is_object() && j.value("format", std::string()) == kGraphFormat, file.string(),
             ": the embedded text is not a Sana Video node graph (no \"format\": \"", kGraphFormat, "\")");
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (text.back() != '\n') std::fputc('\n', stdout);
    return 0;
}

}  // namespace sv::cli
