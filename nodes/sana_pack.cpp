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

plugin::ParamSpec sizeParam(std::string name, int64_t def, std::string help) {
    return plugin::ParamSpec::integer(std::move(name), def)
        .range(16, 4096)
        .onStepGrid(16)
        .withHelp(std::move(help));
}

GenerationSize resolveSize(const SanaModels& models, const plugin::ValueMap& params, plugin::NodeContext& ctx,
                           std::string_view verb) {
    const int width = int(params.getInt("width")), height = int(params.getInt("height"));
    if (!params.getBool("resolution_binning")) return {height, width, height, width};
    GenerationSize size;
    try {
        size = resolveGenerationSize(models.requireTransformer().config(), height, width, true);
    } catch (const Error& e) {
        rethrowForParam("resolution_binning", e);
    }
    if (size.resized())
        ctx.log(plugin::LogLevel::Info,
                concat("resolution binning: ", verb, " at ", size.width, "x", size.height,
                       " (resized back to ", width, "x", height, " after decoding)"));
    return size;
}

// pack.h. The model's size rules (480p: multiples of 16, 4k+1 frames; 720p: 32, 8k+1), an error naming the
/// parameter it is about.
VideoGeometry checkedGeometry(const SanaModels& m, const GenerationSize& size, int frames) {
    try {
        return generationGeometry(m, size.height, size.width, frames);
    } catch (const Error& e) {
        const std::string_view msg = e.what();
        for (const char* param : {"frames", "height", "width"})
            if (msg.starts_with(concat(param, " = "))) rethrowForParam(param, e);
        throw;
    }
}

// pack.h. "0.9, 0.5, 0.1" (commas and/or spaces) → numbers; empty → none. sv::Error naming the parameter.
std::vector<double> parseNumberList(const std::string& text, const char* param) {
    std::vector<double> out;
    std::string item;
    auto flush = [&] {
        if (item.empty()) return;
        try {
            size_t used = 0;
            const double v = std::stod(item, &used);
            SV_CHECK(used == item.size() && std::isfinite(v), "");
            out.push_back(v);
        } catch (const std::exception&) {
            fail("parameter '", param, "': \"", item, "\" is not a number");
        }
        item.clear();
    };
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t' || c == '\n') {
            flush();
        } else {
            item += c;
        }
    }
    flush();
    return out;
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
        sv::nodes::registerLongNodes(r);
        sv::nodes::registerLoraNodes(r);
    }
};

#include "sana_pack.moc"
