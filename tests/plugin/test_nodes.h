// Node types for the plugin/ tests, registered in-process. They mimic the SANA-Video chain with cheap
// stand-ins: load model → encode → sampler (slow, progress, cancel) → decode → save, plus integer arithmetic
// and a failing node.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "plugin/sdk/node_registry.h"

namespace sv::plugin::test {

struct FakeModel {
    std::string name;
};
struct FakeCond {
    std::string prompt;
};
struct FakeLatent {
    int64_t seed = 0;
    int64_t steps = 0;
};

class ConstIntNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap& params, NodeContext&) override {
        ValueMap out;
        out.set("value", Value::fromInt(params.getInt("value")));
        return out;
    }
};

class AddNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext&) override {
        int64_t b = inputs.has("b") ? inputs.getInt("b") : 0;
        ValueMap out;
        out.set("sum", Value::fromInt(inputs.getInt("a") + b + params.getInt("offset")));
        return out;
    }
};

class LoadModelNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap& params, NodeContext& ctx) override {
        ctx.log(LogLevel::Info, "loading " + params.getString("folder"));
        ValueMap out;
        auto m = std::make_shared<const FakeModel>(FakeModel{params.getString("folder")});
        out.set("model", Value::object("test.model", m, SizeHint{1000, true}));
        return out;
    }
};

class EncodeNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext&) override {
        inputs.getObject<FakeModel>("model", "test.model");
        ValueMap out;
        out.set("cond", Value::object("test.cond",
                                      std::make_shared<const FakeCond>(FakeCond{params.getString("prompt")}),
                                      SizeHint{100, false}));
        return out;
    }
};

/// Steps with a sleep each, reporting progress and a preview, polling cancellation between steps.
class SamplerNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        inputs.getObject<FakeModel>("model", "test.model");
        inputs.getObject<FakeCond>("cond", "test.cond");
        const int64_t steps = params.getInt("steps");
        const auto stepTime = std::chrono::milliseconds(params.getInt("step_ms"));
        ctx.progress(0, steps);
        for (int64_t k = 1; k <= steps; ++k) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(stepTime);
            ctx.progress(k, steps);
            ctx.preview(PreviewImage{2, 1, {uint8_t(k), 0, 0, 0, uint8_t(k), 0}});
        }
        ValueMap out;
        out.set("latent",
                Value::object("test.latent",
                              std::make_shared<const FakeLatent>(FakeLatent{params.getInt("seed"), steps}),
                              SizeHint{500, true}));
        return out;
    }
};

class DecodeNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap&, NodeContext&) override {
        const auto& lat = inputs.getObject<FakeLatent>("latent", "test.latent");
        auto v = std::make_shared<Video>();
        v->width = 2;
        v->height = 2;
        v->frameCount = 1;
        v->fps = 16;
        v->rgb.assign(12, uint8_t(lat.seed & 0xff));
        ValueMap out;
        out.set("video", Value::video(std::move(v)));
        return out;
    }
};

class SaveNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap&, NodeContext& ctx) override {
        ctx.display(inputs.get("video"));
        return {};
    }
};

class FailNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext&) override {
        if (params.getBool("fail")) fail("deliberate failure on value ", inputs.getInt("value"));
        ValueMap out;
        out.set("value", inputs.get("value"));
        return out;
    }
};

/// Returns a STRING for its INT output (a buggy node).
class LiarNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap&, NodeContext&) override {
        ValueMap out;
        out.set("value", Value::fromString("not an int"));
        return out;
    }
};

/// The object types of the test nodes, registered as a node pack registers its own.
inline const PortType kModel{"MODEL"};
inline const PortType kConditioning{"CONDITIONING"};
inline const PortType kLatent{"LATENT"};

inline void registerTestNodes(NodeRegistry& r) {
    using P = PortType;
    r.addPortType({kModel, "Model", 0xb39ddb, "test.model"});
    r.addPortType({kConditioning, "Conditioning", 0xffa931, "test.cond"});
    r.addPortType({kLatent, "Latent", 0xff9cf9, "test.latent"});
    {
        NodeDescriptor d{"test.const_int", 1, "Constant", "Test/Math"};
        d.outputs = {PortSpec::required("value", P::Int)};
        d.params = {ParamSpec::integer("value", 1).range(-1000, 1000).withHelp("The constant")};
        r.add<ConstIntNode>(d);
    }
    {
        NodeDescriptor d{"test.add", 1, "Add", "Test/Math"};
        d.inputs = {PortSpec::required("a", P::Int), PortSpec::optionalInput("b", P::Int)};
        d.outputs = {PortSpec::required("sum", P::Int)};
        d.params = {ParamSpec::integer("offset", 0).range(-10, 10)};
        r.add<AddNode>(d);
    }
    {
        NodeDescriptor d{"test.load_model", 1, "Load Model", "Test/Loaders"};
        d.outputs = {PortSpec::required("model", kModel)};
        d.params = {ParamSpec::path("folder", "/models/sana", PathMode::Folder),
                    ParamSpec::choice("device", {"cpu", "cuda"}, "cpu")};
        r.add<LoadModelNode>(d);
    }
    {
        NodeDescriptor d{"test.encode", 1, "Text Encode", "Test/Conditioning"};
        d.inputs = {PortSpec::required("model", kModel)};
        d.outputs = {PortSpec::required("cond", kConditioning)};
        d.params = {ParamSpec::text("prompt", "a cat").asMultiline()};
        r.add<EncodeNode>(d);
    }
    {
        NodeDescriptor d{"test.sampler", 1, "Sampler", "Test/Sampling"};
        d.inputs = {PortSpec::required("model", kModel), PortSpec::required("cond", kConditioning)};
        d.outputs = {PortSpec::required("latent", kLatent)};
        d.params = {ParamSpec::integer("seed", 42),
                    ParamSpec::integer("steps", 3).range(1, 1000),
                    ParamSpec::integer("step_ms", 1).range(0, 10000),
                    ParamSpec::real("guidance", 6.0).range(0.0, 30.0).withStep(0.5),
                    ParamSpec::choice("scheduler", {"dpm", "euler", "unipc"}, "dpm"),
                    ParamSpec::integer("frames", 9).range(1, 1001).onStepGrid(4),
                    ParamSpec::integer("width", 64).range(16, 4096).onStepGrid(16)};
        r.add<SamplerNode>(d);
    }
    {
        NodeDescriptor d{"test.decode", 1, "Decode", "Test/Latent"};
        d.inputs = {PortSpec::required("latent", kLatent)};
        d.outputs = {PortSpec::required("video", P::Video)};
        r.add<DecodeNode>(d);
    }
    {
        NodeDescriptor d{"test.save", 1, "Save", "Test/Output"};
        d.inputs = {PortSpec::required("video", P::Video)};
        d.params = {ParamSpec::outputFile("filename", "clip_{counter:03}")};
        d.isOutput = true;
        r.add<SaveNode>(d);
    }
    {
        NodeDescriptor d{"test.fail", 1, "Fail", "Test/Math"};
        d.inputs = {PortSpec::required("value", P::Int)};
        d.outputs = {PortSpec::required("value", P::Int)};
        d.params = {ParamSpec::boolean("fail", true)};
        r.add<FailNode>(d);
    }
    {
        NodeDescriptor d{"test.liar", 1, "Liar", "Test/Math"};
        d.outputs = {PortSpec::required("value", P::Int)};
        r.add<LiarNode>(d);
    }
}

}  // namespace sv::plugin::test
