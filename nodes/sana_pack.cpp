// The Qt plugin object of the SANA-Video node pack.
#include <QObject>

#include "base/error.h"
#include "pack.h"
#include "plugin/sdk/node_pack.h"

namespace sv::nodes {

void requireComponent(bool loaded, std::string_view what, std::string_view param) {
    SV_CHECK(loaded, "input 'model': the ", what, " is not loaded; turn on Load Model's parameter '", param,
             "'");
}

void rethrowForParam(std::string_view param, const std::exception& e) {
    const std::string msg = e.what();
    if (msg.find(concat("parameter '", param, "'")) != std::string::npos) throw Error(msg);
    fail("parameter '", param, "': ", msg);
}

}  // namespace sv::nodes

class SanaVideoPack : public QObject, public sv::plugin::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SV_NODE_PACK_IID)
    Q_INTERFACES(sv::plugin::NodePackInterface)
  public:
    std::string name() const override { return "sana-video"; }
    void registerNodes(sv::plugin::NodeRegistry& r) override {
        sv::nodes::registerModelNodes(r);
        sv::nodes::registerSamplingNodes(r);
        sv::nodes::registerIoNodes(r);
        sv::nodes::registerLoraNodes(r);
    }
};

#include "sana_pack.moc"
