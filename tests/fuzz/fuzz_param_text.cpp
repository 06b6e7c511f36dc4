// libFuzzer target: `--set NODE.PARAM=VALUE` values. The first byte picks a parameter of the fuzz node types,
// the rest is the text; ParamSpec::parseText must parse it or throw sv::Error, and a parsed value must
// convert (fromJson) and check (checkValue) without crashing, as the CLI and validation do with it. The rest
// of
// `--set` (splitting NODE.PARAM=VALUE) lives in cli/ and is not fuzzed here.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "fuzz_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sv::plugin;
    static const std::vector<ParamSpec> specs = [] {
        NodeRegistry r;
        sv::fuzz::registerFuzzNodes(r);
        std::vector<ParamSpec> all;
        for (const auto* e : r.entries())
            for (const auto& p : e->descriptor.params) all.push_back(p);
        return all;
    }();
    if (size == 0) return 0;
    const ParamSpec& spec = specs[data[0] % specs.size()];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const nlohmann::json j = spec.parseText(text);
        const Value v = spec.fromJson(j);
        const std::string why = spec.checkValue(v);
        if (why.size() > 4096) std::abort();
        (void)ParamSpec::toJson(v);
    } catch (const sv::Error& e) {
        if (std::string_view(e.what()).size() > 4096) std::abort();
    }
    return 0;
}
