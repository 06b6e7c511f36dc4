#ifdef SV_CLI_WITH_PLUGIN
#include "sweep_loop.h"

#include <cstdio>

#include "base/error.h"

namespace sv::cli {

using farm::VariantRecord;

std::string SweepTally::summary(size_t variants) const {
    std::string text = concat(variants, " variant(s): ", done + skipped, " done");
    if (skipped) text += concat(" (", skipped, " by an earlier run)");
    if (failed) text += concat(", ", failed, " failed");
    if (cancelled) text += ", cancelled";
    std::string runs;
    for (const auto& [node, n] : nodeRuns) runs += concat(runs.empty() ? "" : ", ", node, " ", n);
    if (!runs.empty()) text += concat("; node runs: ", runs);
    return text;
}

int SweepTally::exitCode() const {
    if (cancelled) return 130;
    return failed ? 1 : 0;
}

farm::RunGraphFn cliRunFunction(plugin::Executor& executor, const CancelSignals& signals,
                                std::string_view cmd) {
    return [&executor, &signals, cmd = std::string(cmd)](const plugin::GraphDocument& doc,
                                                         const plugin::RunRequest& request,
                                                         const plugin::EventSink& sink) {
        return runGraphWithProgress(executor, doc, request, signals, cmd, sink);
    };
}

SweepTally runSweepLoop(farm::SweepRunner& runner, std::span<const farm::Variant> variants,
                        const CancelSignals& signals, std::string_view cmdView, const SweepHooks& hooks) {
    const std::string cmd(cmdView);
    SweepTally tally;
    for (size_t i = 0; i < variants.size(); ++i) {
        const farm::Variant& v = variants[i];
        if (signals.requested()) {
            tally.cancelled = true;
            break;
        }
        std::fprintf(stderr, "sanavideo %s: [%zu/%zu] %s\n", cmd.c_str(), i + 1, variants.size(),
                     v.name.c_str());
        if (hooks.starting) hooks.starting(i, v);
        const farm::VariantOutcome o = runner.run(v, hooks.events);
        for (const std::string& node : o.run.evaluated) ++tally.nodeRuns[node];
        std::string outputs;
        for (const fs::path& p : o.outputs) outputs += concat(" ", p.string());
        if (o.skipped) {
            ++tally.skipped;
            std::fprintf(stderr, "sanavideo %s: %s was done by an earlier run:%s\n", cmd.c_str(),
                         v.name.c_str(), outputs.c_str());
        } else if (o.state == VariantRecord::State::Done) {
            ++tally.done;
            std::fprintf(stderr, "sanavideo %s: %s done in %.1f s (%zu node(s) run, %zu cached):%s\n",
                         cmd.c_str(), v.name.c_str(), o.run.durationSeconds, o.run.evaluated.size(),
                         o.run.cached.size(), outputs.empty() ? " no file written" : outputs.c_str());
        } else if (o.state == VariantRecord::State::Cancelled) {
            tally.cancelled = true;
            std::fprintf(stderr, "sanavideo %s: %s cancelled\n", cmd.c_str(), v.name.c_str());
        } else {
            ++tally.failed;
            tally.failures.push_back(concat(v.name, ": ", o.message));
            std::fprintf(stderr, "sanavideo %s: error: %s failed: %s\n", cmd.c_str(), v.name.c_str(),
                         o.message.c_str());
        }
        if (hooks.finished) hooks.finished(v, o);
        if (tally.cancelled) break;
    }
    if (signals.requested()) tally.cancelled = true;
    return tally;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
