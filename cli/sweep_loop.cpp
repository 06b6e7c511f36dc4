#ifdef SV_CLI_WITH_PLUGIN
#include "sweep_loop.h"

#include <cstdio>

#include "base/error.h"
#include "node_packs.h"
#include "terminal_text.h"

namespace sv::cli {

using farm::VariantRecord;

namespace {

std::string oneDecimal(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    return text;
}

std::string outputList(const farm::VariantOutcome& o) {
    std::string outputs;
    for (const fs::path& p : o.outputs) outputs += concat(" ", p.string());
    return outputs;
}

/// Counts `o` into `tally` and prints its line.
void tallyOutcome(SweepTally& tally, const farm::Variant& v, const farm::VariantOutcome& o,
                  std::string_view cmd) {
    for (const std::string& node : o.run.evaluated) ++tally.nodeRuns[node];
    const std::string prefix = concat("sanavideo ", cmd, ": ", v.name);
    if (o.skipped) {
        ++tally.skipped;
        printLine(stderr, concat(prefix, " was done by an earlier run:", outputList(o)));
    } else if (o.state == VariantRecord::State::Done) {
        ++tally.done;
        const std::string outputs = outputList(o);
        printLine(stderr, concat(prefix, " done in ", oneDecimal(o.run.durationSeconds), " s (",
                                 o.run.evaluated.size(), " node(s) run, ", o.run.cached.size(),
                                 " cached):", outputs.empty() ? " no file written" : outputs));
    } else if (o.state == VariantRecord::State::Cancelled) {
        tally.cancelled = true;
        printLine(stderr, concat(prefix, " cancelled"));
    } else {
        ++tally.failed;
        tally.failures.push_back(concat(v.name, ": ", o.message));
        printError(cmd, concat(v.name, " failed: ", o.message));
    }
}

}  // namespace

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

int SweepTally::exitCode(const CancelOnSignals& signals) const {
    if (cancelled) return signals.exitCode();
    return failed ? 1 : 0;
}

farm::RunGraphFn cliRunFunction(plugin::Executor& executor, const CancelOnSignals& signals,
                                std::string_view cmd) {
    return [&executor, &signals, cmd = std::string(cmd)](const plugin::GraphDocument& doc,
                                                         const plugin::RunRequest& request,
                                                         const plugin::EventSink& sink) {
        return runGraph(executor, doc, request, signals, cmd, [&sink](const plugin::ExecutionEvent& e) {
            printRunEvent(e);
            if (sink) sink(e);
        });
    };
}

SweepTally runSweepLoop(farm::SweepRunner& runner, std::span<const farm::Variant> variants,
                        const CancelOnSignals& signals, std::string_view cmd, const SweepHooks& hooks) {
    SweepTally tally;
    for (size_t i = 0; i < variants.size() && !signals.requested(); ++i) {
        const farm::Variant& v = variants[i];
        printLine(stderr, concat("sanavideo ", cmd, ": [", i + 1, "/", variants.size(), "] ", v.name));
        if (hooks.starting) hooks.starting(i, v);
        const farm::VariantOutcome o = runner.run(v, hooks.events);
        tallyOutcome(tally, v, o, cmd);
        if (hooks.finished) hooks.finished(v, o);
        if (tally.cancelled) break;
    }
    if (signals.requested()) tally.cancelled = true;
    return tally;
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
