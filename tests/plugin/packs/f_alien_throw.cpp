// Test node pack: name() throws something that is not a std::exception (an int). The host must report the
// pack and skip it, not terminate.
#include <QObject>

#include "plugin/sdk/node_pack.h"

class AlienThrowPack : public QObject, public sv::plugin::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SV_NODE_PACK_IID)
    Q_INTERFACES(sv::plugin::NodePackInterface)
  public:
    std::string name() const override { throw 42; }
    void registerNodes(sv::plugin::NodeRegistry&) override {}
};

#include "f_alien_throw.moc"
