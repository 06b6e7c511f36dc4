// A graph run through the executor with the events it sent, for the executor and node-pack tests.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "plugin/exec/events.h"
#include "plugin/exec/executor.h"

namespace sv::plugin {

using EK = ExecutionEvent::Kind;
using Ids = std::vector<std::string>;

struct Outcome {
    RunResult result;
    std::vector<ExecutionEvent> events;

    /// The events of kind k (of one node when `node` is given), in order.
    std::vector<const ExecutionEvent*> of(EK k, const std::string& node = {}) const {
        std::vector<const ExecutionEvent*> out;
        for (const auto& e : events)
            if (e.kind == k && (node.empty() || e.nodeId == node)) out.push_back(&e);
        return out;
    }
    /// Node ids of the events of kind k, in order.
    Ids nodes(EK k) const {
        Ids out;
        for (const auto* e : of(k)) out.push_back(e->nodeId);
        return out;
    }
    size_t count(EK k) const { return of(k).size(); }
};

/// Runs `doc` on the calling thread; outputs go to `defaultOutputDir` unless the request names a folder.
inline Outcome runCollecting(Executor& executor, const GraphDocument& doc, RunRequest request,
                             const std::filesystem::path& defaultOutputDir) {
    if (request.outputDir.empty()) request.outputDir = defaultOutputDir;
    EventQueue q;
    Outcome r;
    r.result = executor.run(doc, request, q.sink());
    r.events = q.poll();
    return r;
}

}  // namespace sv::plugin
