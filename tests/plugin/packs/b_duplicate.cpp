// Test node pack: registers a type id that the good pack already owns (and one new one, which must not leak
// in).
#include <QObject>

#include "plugin/sdk/node_pack.h"

namespace {
using namespace sv::plugin;
class NothingNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap&, NodeContext&) override { return {}; }
};
}  // namespace

class DuplicatePack : public QObject, public sv::plugin::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SV_NODE_PACK_IID)
    Q_INTERFACES(sv::plugin::NodePackInterface)
  public:
    std::string name() const override { return "duplicate-pack"; }
    void registerNodes(NodeRegistry& r) override {
        r.add<NothingNode>(NodeDescriptor{"testpack.other", 1, "Other", "Test Pack"});
        r.add<NothingNode>(NodeDescriptor{"testpack.double", 1, "Double Again", "Test Pack"});
    }
};

#include "b_duplicate.moc"
