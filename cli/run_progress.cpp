#ifdef SV_CLI_WITH_PLUGIN
#include "run_progress.h"

#include <cstdio>

#include "base/error.h"
#include "generate_options.h"
#include "node_packs.h"
#include "terminal_text.h"

using namespace sv::plugin;

namespace sv::cli {

void ProgressPrinter::operator()(const ExecutionEvent& e) {
    using K = ExecutionEvent::Kind;
    if (e.kind == K::NodeStarted) {
        endBar();
        const NodeDescriptor* d = registry_.find(e.nodeType);
        printLine(stderr, concat(d ? d->caption : e.nodeId, " ..."));
    } else if (e.kind == K::NodeProgress) {
        if (barNode_ != e.nodeId) startBar(e.nodeId);
        bar_->update(int(e.step), int(e.total));
    } else if (e.kind == K::NodeLog) {
        const std::string_view node = baseNodeId(e.nodeId);
        if ((node == "save_video" || node == "save_latent") && e.level == LogLevel::Info) return;
        endBar();
        printLine(stderr, concat("  ", e.level == LogLevel::Info ? "" : concat(logLevelName(e.level), ": "),
                                 e.message));
    } else if (e.kind != K::NodePreview && e.kind != K::NodeDisplay) {
        endBar();
    }
}

void ProgressPrinter::startBar(const std::string& id) {
    endBar();
    barNode_ = id;
    const std::string_view node = baseNodeId(id);
    if (node == "long_video")
        bar_.emplace("generating", "chunk");
    else if (node == "sampler")
        bar_.emplace("sampling", "step");
    else if (node == "vae_decode")
        bar_.emplace("decoding", "frame");
    else if (node == "save_video")
        bar_.emplace("writing", "frame");
    else
        bar_.emplace(id, "step");
}

void ProgressPrinter::endBar() {
    bar_.reset();
    barNode_.clear();
}

RunResult runWithProgress(Executor& executor, const GraphDocument& doc,
                          const std::filesystem::path& outputDir, const CancelOnSignals& signals,
                          std::string_view cmd, const NodeRegistry& registry, RunTimings& timings) {
    RunRequest request;
    request.outputDir = outputDir;
    ProgressPrinter progress(registry);
    return runGraph(executor, doc, request, signals, cmd, [&](const ExecutionEvent& e) {
        progress(e);
        timings.onEvent(e);
    });
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
