#ifdef SV_CLI_WITH_PLUGIN
#include "generate_graph.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "pipelines/long_video.h"
#include "plugin/graph/validation.h"

using namespace sv::plugin;
namespace fs = std::filesystem;

namespace sv::cli {

namespace {

bool anyTargetIn(const GraphDocument& doc, const GraphOption& go) {
    for (const ParamRef& t : go.targets)
        if (doc.findNode(t.node)) return true;
    return false;
}

/// The node ids an option's target stands for: the node and the copies made of it ("save_video_2", ...).
std::vector<std::string> nodeAndCopies(const GraphDocument& doc, std::string_view node) {
    std::vector<std::string> ids;
    for (const GraphNode& n : doc.nodes())
        if (baseNodeId(n.id) == node) ids.push_back(n.id);
    return ids;
}

/// Sets `text` into every target of `go` (and the copies of its nodes).
void applyOption(GraphDocument& doc, const NodeRegistry& registry, const GraphOption& go,
                 const std::string& text) {
    if (go.flag == "--device") return setDeviceParams(doc, registry, text, go.flag);
    for (const ParamRef& t : go.targets)
        for (const std::string& id : nodeAndCopies(doc, t.node))
            setParam(doc, registry, {id, t.param}, text, go.flag);
}

/// The value an option gives, if given: a flag's value, the last value, or (--prompt) the prompts one a line.
std::optional<std::string> givenText(const GenerateOptions& o, const GraphOption& go) {
    if (go.valueName.empty())
        return o.flags.count(go.flag) ? std::optional(std::string(go.flagValue)) : std::nullopt;
    if (go.repeatable) {
        auto it = o.lists.find(go.flag);
        if (it == o.lists.end() || it->second.empty()) return std::nullopt;
        std::string joined;
        for (const std::string& p : it->second) joined += (joined.empty() ? "" : "\n") + p;
        return joined;
    }
    auto it = o.values.find(go.flag);
    return it == o.values.end() ? std::nullopt : std::optional(it->second);
}

const std::vector<std::string>& listOf(const GenerateOptions& o, std::string_view flag) {
    static const std::vector<std::string> kNone;
    auto it = o.lists.find(flag);
    return it == o.lists.end() ? kNone : it->second;
}

/// A copy of node `base` with a fresh id ("base_2", ...), placed below it in the editor.
std::string copyNode(GraphDocument& doc, std::string_view base, int k) {
    GraphNode n = *doc.findNode(base);
    n.id = doc.uniqueNodeId(base);
    if (n.ui.contains("pos") && n.ui["pos"].is_array() && n.ui["pos"].size() == 2)
        n.ui["pos"][1] = n.ui["pos"][1].get<double>() + 160.0 * k;
    const std::string id = n.id;
    doc.insertNode(std::move(n));
    return id;
}

/// Several prompts: Text Encode reads one prompt a line.
void applyPrompts(GraphDocument& doc, const NodeRegistry& registry, const GenerateOptions& o,
                  GraphKind kind) {
    const auto& prompts = listOf(o, "--prompt");
    if (prompts.size() < 2) return;
    SV_CHECK(kind != GraphKind::LongVideo,
             "--prompt: a LongSANA video takes one prompt; separate the parts that follow each other with "
             "<split>");
    for (const std::string& p : prompts)
        SV_CHECK(p.find('\n') == std::string::npos,
                 "--prompt: a prompt of a batch of several cannot hold a line break");
    setParam(doc, registry, {"text_encode", "one_prompt_per_line"}, "true", "--prompt");
}

/// --lora FILE[:STRENGTH], repeatable: the first fills load_lora, each further one a copy chained after it.
void applyLoras(GraphDocument& doc, const NodeRegistry& registry, const GenerateOptions& o) {
    std::string prev;
    for (const std::string& given : listOf(o, "--lora")) {
        std::string file = given, strength = "1.0";
        if (const size_t c = given.rfind(':'); c != std::string::npos) {
            char* end = nullptr;
            const std::string tail = given.substr(c + 1);
            (void)std::strtod(tail.c_str(), &end);
            if (!tail.empty() && end == tail.c_str() + tail.size())
                file = given.substr(0, c), strength = tail;
        }
        SV_CHECK(!file.empty(), "--lora: \"", given, "\" names no file");
        std::string id = "load_lora";
        if (!prev.empty()) {
            id = copyNode(doc, "load_lora", int(nodeAndCopies(doc, "load_lora").size()));
            for (const GraphLink& l : doc.outputLinks(prev, "model")) doc.connect({id, "model"}, l.to);
            doc.connect({prev, "model"}, {id, "model"});
        }
        setParam(doc, registry, {id, "file"}, file, "--lora");
        setParam(doc, registry, {id, "strength"}, strength, "--lora");
        prev = id;
    }
}

/// The settings recorded as MP4 tags of video `index` (prompt-major, as the batch).
std::string videoTags(const GraphDocument& doc, const NodeRegistry& registry, const GenerateOptions& o,
                      int64_t index, int64_t perPrompt) {
    const auto& prompts = listOf(o, "--prompt");
    auto oneLine = [](std::string s) {
        for (char& c : s)
            if (c == '\n' || c == '\r') c = ' ';
        return s;
    };
    auto value = [&](ParamRef p) { return nlohmann::json::parse(effectiveValue(doc, registry, p)); };
    std::string tags = concat("prompt=", oneLine(prompts[size_t(index / perPrompt)]), "\n");
    tags += concat("negative_prompt=", oneLine(value({"text_encode", "negative_prompt"}).get<std::string>()),
                   "\n");
    tags += concat("seed=", value({"sampler", "seed"}).dump(), "\n");
    const std::string generator = value({"sampler", "generator"}).get<std::string>();
    tags += concat("generator=", generator, "\n");
    const std::string grid = value({"sampler", "cuda_grid"}).get<std::string>();
    if (generator == "cuda" && !grid.empty()) {
        const size_t x = grid.find('x');
        tags +=
            concat("cuda_generator_grid=",
                   nlohmann::json{{"multi_processor_count", std::atoi(grid.substr(0, x).c_str())},
                                  {"max_threads_per_multi_processor", std::atoi(grid.substr(x + 1).c_str())}}
                       .dump(),
                   "\n");
    }
    return tags;
}

/// --seconds: frames = fps·seconds + 1, on the 4-frame grid (the node checks its own model's grid).
void applySeconds(GraphDocument& doc, const NodeRegistry& registry, const GenerateOptions& o) {
    if (!o.seconds) return;
    SV_CHECK(std::isfinite(*o.seconds) && *o.seconds > 0, "--seconds: ", *o.seconds,
             " is not a positive length");
    const bool isLong = doc.findNode("long_video") != nullptr;
    const double fps = std::stod(effectiveValue(
        doc, registry, isLong ? ParamRef{"long_video", "fps"} : ParamRef{"vae_decode", "fps"}));
    const double frames = 4.0 * std::round(fps * *o.seconds / 4.0) + 1.0;
    SV_CHECK(frames < 1e7, "--seconds: ", *o.seconds, " s is too long");
    for (const GraphOption& go : generateOptions())
        if (go.flag == "--frames") applyOption(doc, registry, go, std::to_string(int64_t(frames)));
}

/// --continue CLIP: Load Video → Last Frame → Image Encode (instead of Load Image), and Append Video puts the
/// new frames (without the repeated first one) after the clip.
void applyContinue(GraphDocument& doc, const NodeRegistry& registry, const GenerateOptions& o) {
    if (o.continueClip.empty()) return;
    SV_CHECK(!o.values.count("--image"),
             "--continue: the clip's last frame is the first image; not with --image");
    const std::vector<GraphLink> imageUses = doc.outputLinks("load_image", "image");
    doc.removeNode("load_image");
    doc.addNode("sana.load_video", 1, nlohmann::json::object(), nlohmann::json::object(), "load_video");
    setParam(doc, registry, {"load_video", "path"}, o.continueClip, "--continue");
    doc.addNode("sana.last_frame", 1, nlohmann::json::object(), nlohmann::json::object(), "last_frame");
    doc.connect({"load_video", "video"}, {"last_frame", "video"});
    for (const GraphLink& l : imageUses) doc.connect({"last_frame", "image"}, l.to);
    doc.addNode("sana.append_video", 1, nlohmann::json::object(), nlohmann::json::object(), "append_video");
    doc.connect({"load_video", "video"}, {"append_video", "first"});
    doc.connect({"vae_decode", "video"}, {"append_video", "second"});
    doc.connect({"append_video", "video"}, {"save_video", "video"});
}

/// --save-latents: Save Latent on the Sampler's latents (the whole batch), named for LatentsTarget; with
/// --no-decode no VAE Decode, Save Video or VAE decoder either (the lean half of a split run).
void applySaveLatents(GraphDocument& doc, const NodeRegistry& registry, const GenerateOptions& o,
                      GraphKind kind) {
    if (o.saveLatents.empty()) return;
    SV_CHECK(kind != GraphKind::LongVideo,
             "--save-latents: a LongSANA video is sampled and decoded chunk by chunk inside the Long Video "
             "node; it keeps no latents of the whole video");
    doc.addNode("sana.save_latent", 1, nlohmann::json::object(), nlohmann::json::object(), "save_latent");
    doc.connect({"sampler", "latent"}, {"save_latent", "latent"});
    setParam(doc, registry, {"save_latent", "filename"}, LatentsTarget::kStem, "--save-latents");
    if (!o.noDecode) return;
    SV_CHECK(o.continueClip.empty(),
             "--no-decode: not with --continue (the continued clip is decoded frames)");
    doc.removeNode("vae_decode");
    doc.removeNode("save_video");
    setParam(doc, registry, {"load_model", "vae_decoder"}, "false", "--no-decode");
}

}  // namespace

std::vector<std::string> addVideoOutputs(GraphDocument& doc, const NodeRegistry& registry,
                                         const OutputTarget& target) {
    const std::vector<GraphLink> decodeInputs = doc.inputLinks("vae_decode");
    for (int64_t k = 1; k < target.videoCount(); ++k) {
        const std::string decode = copyNode(doc, "vae_decode", int(k));
        const std::string save = copyNode(doc, "save_video", int(k));
        doc.setParam(decode, "video", k);
        for (const GraphLink& l : decodeInputs) doc.connect(l.from, {decode, l.to.port});
        doc.connect({decode, "video"}, {save, "video"});
    }
    const std::vector<std::string> saves = nodeAndCopies(doc, "save_video");
    for (size_t k = 0; k < saves.size(); ++k) {
        setParam(doc, registry, {saves[k], "filename"}, target.stagedStem(int64_t(k)), "--out");
        setParam(doc, registry, {saves[k], "format"}, target.format(), "--out");
    }
    return saves;
}

GraphKind chooseGraph(const GenerateOptions& o) {
    if (auto it = o.values.find("--model");
        o.longVideo || (it != o.values.end() && isLongSanaModel(it->second)))
        return GraphKind::LongVideo;
    return o.values.count("--image") || !o.continueClip.empty() ? GraphKind::ImageToVideo
                                                                : GraphKind::TextToVideo;
}

GraphDocument buildGenerateGraph(const GenerateOptions& o, GraphKind kind, const Executor& executor,
                                 OutputTarget* target) {
    const NodeRegistry& registry = executor.registry();
    GraphDocument doc = GraphDocument::parse(defaultGraphText(kind), graphName(kind));
    SV_CHECK(o.continueClip.empty() || kind == GraphKind::ImageToVideo,
             "--continue: continuing a clip takes a regular (image-to-video) model, not a LongSANA folder");
    applyContinue(doc, registry, o);
    for (const GraphOption& go : generateOptions()) {
        const std::optional<std::string> text = givenText(o, go);
        if (!text) continue;
        SV_CHECK(anyTargetIn(doc, go), go.flag, ": the ", graphName(kind), " has no node it sets",
                 kind == GraphKind::LongVideo ? " (the model folder is LongSANA's)"
                                              : " (it is for LongSANA models)");
        if (go.flag != "--lora") applyOption(doc, registry, go, *text);
    }
    applyPrompts(doc, registry, o, kind);
    applySeconds(doc, registry, o);
    applyLoras(doc, registry, o);
    applySaveLatents(doc, registry, o, kind);
    if (!target) {
        SV_ASSERT(o.noDecode);
    } else if (kind == GraphKind::LongVideo) {
        const fs::path out(target->text());
        setParam(doc, registry, {"long_video", "filename"}, out.stem().string(), "--out");
        setParam(doc, registry, {"long_video", "format"}, target->format(), "--out");
    } else {
        const int64_t perPrompt = std::stoll(effectiveValue(doc, registry, {"text_encode", "num_videos"}));
        target->setVideoCount(int64_t(listOf(o, "--prompt").size()) * perPrompt);
        const std::vector<std::string> saves = addVideoOutputs(doc, registry, *target);
        if (!target->isSequence())
            for (size_t k = 0; k < saves.size(); ++k)
                setParam(doc, registry, {saves[k], "tags"},
                         videoTags(doc, registry, o, int64_t(k), perPrompt), "--out");
    }
    // Checked as `sanavideo run` and the editor check a graph (Executor::issuesForRun), before any model
    // loads.
    const std::vector<GraphIssue> issues = executor.issuesForRun(doc, {});
    SV_CHECK(!hasErrors(issues), "the ", graphName(kind), " cannot run:\n", formatErrors(issues),
             "\n(is the SANA-Video node pack installed? see sanavideo nodes)");
    return doc;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
