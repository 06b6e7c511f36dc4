// Node types for the graph fuzzers: every kind of port and parameter the SDK has (ranges, multiples, choices,
// paths, output file names), so that validation and the parameter parsers run on all of them. Descriptors
// only: the fuzzers never evaluate a node.
#pragma once

#include <memory>

#include "plugin/sdk/node.h"
#include "plugin/sdk/node_registry.h"

namespace sv::fuzz {

class NoNode : public plugin::Node {
  public:
    plugin::ValueMap evaluate(const plugin::ValueMap&, const plugin::ValueMap&,
                              plugin::NodeContext&) override {
        return {};
    }
};

inline void registerFuzzNodes(plugin::NodeRegistry& r) {
    using namespace plugin;
    using P = PortType;
    // Opaque types are the packs' own (the SDK names none): two of them, as a pack declares them.
    const PortType model{"F_MODEL"}, latent{"F_LATENT"};
    r.addPortType({model, "Model", 0x4c8bf5, "f.model"});
    r.addPortType({latent, "Latent", 0xff9cf9, "f.latent"});
    {
        NodeDescriptor d{"f.load", 1, "Load", "F"};
        d.outputs = {PortSpec::required("model", model), PortSpec::required("image", P::Image)};
        d.params = {ParamSpec::path("folder", "", PathMode::Folder),
                    ParamSpec::choice("device", {"auto", "cpu", "cuda"}, "auto")};
        r.add<NoNode>(d);
    }
    {
        NodeDescriptor d{"f.sampler", 2, "Sampler", "F"};
        d.inputs = {PortSpec::required("model", model), PortSpec::optionalInput("latent", latent),
                    PortSpec::optionalInput("seed", P::Int)};
        d.outputs = {PortSpec::required("latent", latent), PortSpec::required("steps", P::Float)};
        d.params = {ParamSpec::integer("width", 832).range(16, 4096).onStepGrid(16),
                    ParamSpec::integer("frames", 81).range(1, 1001).onStepGrid(4),
                    ParamSpec::integer("seed", 42).range(0, 9007199254740991.0),
                    ParamSpec::real("guidance", 6.0).range(0.0, 30.0),
                    ParamSpec::boolean("binning", false),
                    ParamSpec::text("prompt", "a cat").asMultiline()};
        r.add<NoNode>(d);
    }
    {
        NodeDescriptor d{"f.save", 1, "Save", "F"};
        d.isOutput = true;
        d.inputs = {PortSpec::required("latent", latent)};
        d.outputs = {PortSpec::required("path", P::String)};
        d.params = {ParamSpec::outputFile("filename", "clip_{counter:05}"),
                    ParamSpec::choice("format", {"mp4", "png"}, "mp4")};
        r.add<NoNode>(d);
    }
}

}  // namespace sv::fuzz
