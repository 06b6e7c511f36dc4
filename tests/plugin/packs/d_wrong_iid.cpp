// Test node pack: built against an older interface version (another IID).
#include <QObject>

#include "plugin/sdk/node_pack.h"

class OldPack : public QObject, public sv::plugin::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.sanavideo.NodePack/0.9")
    Q_INTERFACES(sv::plugin::NodePackInterface)
  public:
    std::string name() const override { return "old-pack"; }
    void registerNodes(sv::plugin::NodeRegistry&) override {}
};

#include "d_wrong_iid.moc"
