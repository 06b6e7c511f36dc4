// Node types for the sweep and farm tests, registered in-process: a model loader that counts its loads, a
// renderer with a seed, a prompt, an optional image file and slow cancellable steps, and an output node that
// writes a text file named by its `filename` parameter (holding the graph that ran).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "base/error.h"
#include "plugin/sdk/node_registry.h"

namespace sv::farm::test {

namespace sp = sv::plugin;

struct Counters {
    std::atomic<int> loads{0};
    std::atomic<int> renders{0};
};

struct FakeModel {
    std::string folder;
};

/// The fake model's port type (a pack registers its own types; its values carry the tag "ft.model").
inline const sp::PortType kFakeModel{"FT_MODEL"};

inline void registerFarmTestNodes(sp::NodeRegistry& r, Counters& counters) {
    using P = sp::PortType;
    r.addPortType({kFakeModel, "Fake model", 0xb39ddb, "ft.model"});
    class Load : public sp::Node {
      public:
        explicit Load(Counters& c) : c_(c) {}
        sp::ValueMap evaluate(const sp::ValueMap&, const sp::ValueMap& params, sp::NodeContext&) override {
            ++c_.loads;
            sp::ValueMap out;
            out.set("model",
                    sp::Value::object(
                        "ft.model", std::make_shared<const FakeModel>(FakeModel{params.getString("folder")}),
                        sp::SizeHint{1000, false}));
            return out;
        }

      private:
        Counters& c_;
    };
    class Render : public sp::Node {
      public:
        explicit Render(Counters& c) : c_(c) {}
        sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params,
                              sp::NodeContext& ctx) override {
            ++c_.renders;
            in.getObject<FakeModel>("model", "ft.model");
            const std::string image = params.getString("image");
            if (!image.empty()) SV_CHECK(std::ifstream(image).good(), "cannot open the image ", image);
            const int64_t steps = params.getInt("steps");
            for (int64_t k = 1; k <= steps; ++k) {
                ctx.throwIfCancelled();
                std::this_thread::sleep_for(std::chrono::milliseconds(params.getInt("step_ms")));
                ctx.progress(k, steps);
            }
            sp::ValueMap out;
            out.set("text", sp::Value::fromString(concat("seed ", params.getInt("seed"), " prompt ",
                                                         params.getString("prompt"))));
            return out;
        }

      private:
        Counters& c_;
    };
    class Write : public sp::Node {
      public:
        sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params,
                              sp::NodeContext& ctx) override {
            const std::filesystem::path file = ctx.outputDir() / (params.getString("filename") + ".txt");
            std::ofstream(file) << in.getString("text") << "\n" << ctx.graphJson();
            sp::ValueMap out;
            out.set("path", sp::Value::fromString(file.string()));
            return out;
        }
    };
    {
        sp::NodeDescriptor d{"ft.load", 1, "Load", "Test"};
        d.outputs = {sp::PortSpec::required("model", kFakeModel)};
        d.params = {sp::ParamSpec::path("folder", "", sp::PathMode::Folder)};
        r.add(d, [&counters] { return std::unique_ptr<sp::Node>(std::make_unique<Load>(counters)); });
    }
    {
        sp::NodeDescriptor d{"ft.render", 1, "Render", "Test"};
        d.inputs = {sp::PortSpec::required("model", kFakeModel)};
        d.outputs = {sp::PortSpec::required("text", P::String)};
        d.params = {sp::ParamSpec::integer("seed", 1).range(0, 1000),
                    sp::ParamSpec::text("prompt", "a cat"),
                    sp::ParamSpec::path("image", ""),
                    sp::ParamSpec::integer("steps", 2).range(1, 100000),
                    sp::ParamSpec::integer("step_ms", 0).range(0, 10000),
                    sp::ParamSpec::real("guidance", 6.0).range(0.0, 30.0),
                    sp::ParamSpec::choice("scheduler", {"dpm", "euler"}, "dpm")};
        r.add(d, [&counters] { return std::unique_ptr<sp::Node>(std::make_unique<Render>(counters)); });
    }
    {
        sp::NodeDescriptor d{"ft.write", 1, "Write", "Test"};
        d.isOutput = true;
        d.inputs = {sp::PortSpec::required("text", P::String)};
        d.outputs = {sp::PortSpec::required("path", P::String)};
        d.params = {sp::ParamSpec::text("filename", "out")};
        r.add<Write>(d);
    }
}

/// load → render → write, with the model folder `folder`.
inline std::string farmTestGraph(const std::string& folder) {
    return R"({"format": "sanavideo.graph", "version": 1, "nodes": [
        {"id": "load", "type": "ft.load", "params": {"folder": ")" +
           folder + R"("}},
        {"id": "render", "type": "ft.render"},
        {"id": "write", "type": "ft.write"}],
      "links": [{"from": {"node": "load", "port": "model"}, "to": {"node": "render", "port": "model"}},
                {"from": {"node": "render", "port": "text"}, "to": {"node": "write", "port": "text"}}]})";
}

}  // namespace sv::farm::test
