// Test node pack: a well-behaved pack with two node types.
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
    }
};

#include "a_good.moc"
