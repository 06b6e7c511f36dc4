// Test node pack: a well-behaved pack with two node types.
#include <chrono>
#include <string>
#include <thread>

#include <QObject>

#include "plugin/sdk/node_pack.h"

namespace {

using namespace sv::plugin;

class DoubleNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap&, NodeContext&) override {
        ValueMap out;
        out.set("twice", Value::fromInt(2 * inputs.getInt("value")));
        return out;
    }
};

class ConstNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap& params, NodeContext&) override {
        ValueMap out;
        out.set("value", Value::fromInt(params.getInt("value")));
        return out;
    }
};

/// Passes its input through after `steps` steps of `step_ms` each, reporting progress and polling
/// cancellation.
class SlowNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap& params, NodeContext& ctx) override {
        const int64_t steps = params.getInt("steps");
        for (int64_t k = 1; k <= steps; ++k) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(params.getInt("step_ms")));
            ctx.progress(k, steps);
        }
        ValueMap out;
        out.set("value", inputs.get("value"));
        return out;
    }
};

/// An output node: logs its input.
class ShowNode : public Node {
  public:
    ValueMap evaluate(const ValueMap& inputs, const ValueMap&, NodeContext& ctx) override {
        ctx.log(LogLevel::Info, "value = " + std::to_string(inputs.getInt("value")));
        return {};
    }
};

}  // namespace

class GoodPack : public QObject, public sv::plugin::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SV_NODE_PACK_IID)
    Q_INTERFACES(sv::plugin::NodePackInterface)
  public:
    std::string name() const override { return "good-pack"; }
    void registerNodes(NodeRegistry& r) override {
        NodeDescriptor twice{"testpack.double", 1, "Double", "Test Pack"};
        twice.inputs = {PortSpec::required("value", PortType::Int)};
        twice.outputs = {PortSpec::required("twice", PortType::Int)};
        r.add<DoubleNode>(twice);
        NodeDescriptor c{"testpack.const", 1, "Constant", "Test Pack"};
        c.outputs = {PortSpec::required("value", PortType::Int)};
        c.params = {ParamSpec::integer("value", 21)};
        r.add<ConstNode>(c);
        NodeDescriptor slow{"testpack.slow", 1, "Slow", "Test Pack"};
        slow.inputs = {PortSpec::required("value", PortType::Int)};
        slow.outputs = {PortSpec::required("value", PortType::Int)};
        slow.params = {ParamSpec::integer("steps", 5).range(1, 100000).withHelp("how many steps"),
                       ParamSpec::integer("step_ms", 1).range(0, 1000)};
        r.add<SlowNode>(slow);
        NodeDescriptor show{"testpack.show", 1, "Show", "Test Pack"};
        show.inputs = {PortSpec::required("value", PortType::Int)};
        show.isOutput = true;
        r.add<ShowNode>(show);
    }
};

#include "a_good.moc"
