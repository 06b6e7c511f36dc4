// Test node pack: throws while registering.
#include <QObject>

#include "plugin/sdk/node_pack.h"

class ThrowingPack : public QObject, public sv::plugin::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SV_NODE_PACK_IID)
    Q_INTERFACES(sv::plugin::NodePackInterface)
  public:
    std::string name() const override { return "throwing-pack"; }
    void registerNodes(sv::plugin::NodeRegistry&) override { sv::fail("cannot find its model folder"); }
};

#include "c_throwing.moc"
