// The Qt plugin object of the SANA-Video node pack.
#include <QObject>

#include "base/engine_instance.h"
#include "base/error.h"
#include "latent_value.h"
#include "model_values.h"
#include "pack.h"
#include "plugin/sdk/node_pack.h"

namespace sv::nodes {

void registerPortTypes(plugin::NodeRegistry& r) {
    r.addPortType({port::kModel, "Model", 0xb39ddb, std::string(kModelTag)});  // lavender
    r.addPortType({port::kConditioning, "Conditioning", 0xffa931, std::string(kConditioningTag)});  // orange
    r.addPortType({port::kLatent, "Latent", 0xff9cf9, std::string(kLatentTag)});                    // pink
}

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
    // Which copy of the engine this pack runs on (sv::engineInstance()); hosts compare it with their own.
    Q_PROPERTY(quintptr engineInstance READ engineInstance CONSTANT)
  public:
    std::string name() const override { return "sana-video"; }
    quintptr engineInstance() const { return quintptr(sv::engineInstance()); }
    void registerNodes(sv::plugin::NodeRegistry& r) override {
        sv::nodes::registerPortTypes(r);
        sv::nodes::registerModelNodes(r);
        sv::nodes::registerSamplingNodes(r);
        sv::nodes::registerIoNodes(r);
    }
};

#include "sana_pack.moc"
