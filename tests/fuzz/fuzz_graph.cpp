// libFuzzer target: arbitrary text as a graph document (what `sanavideo run`, the editor and an MP4's
// embedded graph give the engine). Loading must succeed or throw sv::Error; a loaded document must validate
// without crashing, give messages of bounded size without raw control characters, load again from what it
// saves (and stay the same from then on), and answer checkConnection for its links.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "fuzz_registry.h"
#include "plugin/graph/graph_document.h"
#include "plugin/graph/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sv::plugin;
    static const NodeRegistry registry = [] {
        NodeRegistry r;
        sv::fuzz::registerFuzzNodes(r);
        return r;
    }();
    GraphDocument doc;
    try {
        doc = GraphDocument::parse(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
    } catch (const sv::Error& e) {
        for (const char c : std::string_view(e.what()))
            if (c == '\x1b' || c == '\0') std::abort();  // messages are sanitized
        return 0;
    }
    const auto issues = validateGraph(doc, registry);
    for (const auto& issue : issues) {
        if (issue.message.size() > 4096) std::abort();  // quotes are cut
        for (const char c : issue.message)
            if (c == '\x1b' || c == '\0') std::abort();
    }
    (void)formatIssues(issues);
    // Saving is stable from the first save on (NaN and infinities, which JSON cannot write, become null
    // then).
    const GraphDocument saved = GraphDocument::parse(doc.toText(), "fuzz-saved.json");
    if (GraphDocument::parse(saved.toText(), "fuzz-again.json").toJson() != saved.toJson()) std::abort();
    size_t checked = 0;
    for (const auto& link : doc.links()) {
        if (++checked > 64) break;
        (void)checkConnection(doc, registry, link.from, link.to);
    }
    return 0;
}
