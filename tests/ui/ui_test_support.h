// Shared helpers for the editor tests: one QApplication (offscreen), a registry of in-process test nodes (a
// cheap stand-in for the SANA chain: model → encode → slow sampler with previews → decode → output, plus
// integer nodes and a failing node), a MainWindow wired to temporary folders, and mouse/keyboard helpers that
// drive real widgets.
#pragma once

#include <gtest/gtest.h>

#include <QApplication>
#include <QGraphicsView>
#include <QMouseEvent>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

#include "app/application.h"
#include "app/graph_editor.h"
#include "app/main_window.h"
#include "plugin/sdk/node_registry.h"
#include "run/run_queue.h"

namespace sv::ui::test {

namespace sp = sv::plugin;

/// Owns the process's QApplication: created before the first test, destroyed after the last one (inside
/// RUN_ALL_TESTS, not by exit handlers, which would run after Qt's own statics are gone).
class QtEnvironment : public ::testing::Environment {
  public:
    void SetUp() override {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
        QStandardPaths::setTestModeEnabled(true);
        app_ = std::make_unique<QApplication>(argc_, argv_);
        QApplication::setOrganizationName(QStringLiteral("SanaVideoTests"));
        QApplication::setApplicationName(QStringLiteral("sv_ui_test"));
        initResources();
    }
    void TearDown() override { app_.reset(); }

  private:
    int argc_ = 1;
    char name_[11] = "sv_ui_test";
    char* argv_[2] = {name_, nullptr};
    std::unique_ptr<QApplication> app_;
};

inline ::testing::Environment* const kQtEnvironment = ::testing::AddGlobalTestEnvironment(new QtEnvironment);

/// The process's QApplication (see QtEnvironment).
inline QApplication& app() {
    auto* a = qobject_cast<QApplication*>(QCoreApplication::instance());
    EXPECT_NE(a, nullptr) << "QtEnvironment did not run";
    return *a;
}

// ---- test nodes
// -------------------------------------------------------------------------------------------------

struct Handle {
    std::string text;
};

class ConstIntNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap&, const sp::ValueMap& params, sp::NodeContext&) override {
        sp::ValueMap out;
        out.set("value", sp::Value::fromInt(params.getInt("value")));
        return out;
    }
};

class AddNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params, sp::NodeContext&) override {
        sp::ValueMap out;
        out.set("sum", sp::Value::fromInt(in.getInt("a") + (in.has("b") ? in.getInt("b") : 0) +
                                          params.getInt("offset")));
        return out;
    }
};

class LoadNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap&, const sp::ValueMap& params, sp::NodeContext& ctx) override {
        ctx.log(sp::LogLevel::Info, "loading " + params.getString("folder"));
        sp::ValueMap out;
        out.set("model", sp::Value::object("uitest.model", std::make_shared<const Handle>(
                                                               Handle{params.getString("folder")})));
        return out;
    }
};

class EncodeNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params, sp::NodeContext&) override {
        in.getObject<Handle>("model", "uitest.model");
        sp::ValueMap out;
        out.set("cond", sp::Value::object("uitest.cond", std::make_shared<const Handle>(
                                                             Handle{params.getString("prompt")})));
        return out;
    }
};

/// Sleeps `step_ms` per step, reports progress and one preview of `frames` pictures per step, polls cancel
/// between steps.
class SamplerNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params, sp::NodeContext& ctx) override {
        in.getObject<Handle>("model", "uitest.model");
        in.getObject<Handle>("cond", "uitest.cond");
        const int64_t steps = params.getInt("steps"), frames = params.getInt("frames");
        ctx.progress(0, steps);
        for (int64_t k = 1; k <= steps; ++k) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(params.getInt("step_ms")));
            ctx.progress(k, steps);
            sp::PreviewImage p;  // frame f of step k: every byte k * 10 + f
            p.width = 4;
            p.height = 2;
            p.frameCount = int(frames);
            p.step = k;
            p.totalSteps = steps;
            for (int64_t f = 0; f < frames; ++f) p.rgb.insert(p.rgb.end(), 24, uint8_t(k * 10 + f));
            ctx.preview(std::move(p));
        }
        sp::ValueMap out;
        out.set("latent", sp::Value::object("uitest.latent", std::make_shared<const Handle>(Handle{
                                                                 std::to_string(params.getInt("seed"))})));
        return out;
    }
};

class DecodeNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params, sp::NodeContext&) override {
        in.getObject<Handle>("latent", "uitest.latent");
        auto v = std::make_shared<sp::Video>();
        v->width = 8;
        v->height = 4;
        v->frameCount = int(params.getInt("frames"));
        v->fps = 16;
        v->rgb.resize(v->frameBytes() * size_t(v->frameCount));
        for (int f = 0; f < v->frameCount; ++f)
            std::fill_n(v->rgb.begin() + ptrdiff_t(v->frameBytes() * size_t(f)), v->frameBytes(),
                        uint8_t(f * 20));
        sp::ValueMap out;
        out.set("video", sp::Value::video(std::move(v)));
        return out;
    }
};

class OutputNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap&, sp::NodeContext& ctx) override {
        ctx.display(in.get("video"));
        return {};
    }
};

/// Writes a small file named by its "filename" parameter into the output folder; returns its path.
class SaveNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params, sp::NodeContext& ctx) override {
        const auto video = in.get("video").toVideo();
        const auto path = ctx.outputDir() / params.getString("filename");
        std::ofstream(path) << video->frameCount << " frames\n";
        ctx.display(in.get("video"));
        sp::ValueMap out;
        out.set("path", sp::Value::fromString(path.string()));
        return out;
    }
};

/// Passes a latent through (its parameters only shape the editor: a size taken from the input, snapped
/// frames, a choice).
class SizerNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap&, sp::NodeContext&) override {
        sp::ValueMap out;
        out.set("latent", in.get("latent"));
        return out;
    }
};

class ImageNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap&, const sp::ValueMap&, sp::NodeContext&) override {
        auto img = std::make_shared<sp::Image>();
        img->width = img->height = 2;
        img->channels = 3;
        img->pixels.assign(12, 0.5f);
        sp::ValueMap out;
        out.set("image", sp::Value::image(std::move(img)));
        return out;
    }
};

class FailNode : public sp::Node {
  public:
    sp::ValueMap evaluate(const sp::ValueMap& in, const sp::ValueMap& params, sp::NodeContext&) override {
        if (params.getBool("fail")) sv::fail("deliberate failure on value ", in.getInt("value"));
        sp::ValueMap out;
        out.set("value", in.get("value"));
        return out;
    }
};

/// Registers the test node types ("uitest.*").
inline std::unique_ptr<sp::NodeRegistry> makeRegistry() {
    using P = sp::PortType;
    const P kModel{"MODEL"}, kConditioning{"CONDITIONING"}, kLatent{"LATENT"};
    auto r = std::make_unique<sp::NodeRegistry>();
    r->addPortType({kModel, "Model", 0xb39ddb, "uitest.model"});
    r->addPortType({kConditioning, "Conditioning", 0xffa931, "uitest.cond"});
    r->addPortType({kLatent, "Latent", 0xff9cf9, "uitest.latent"});
    {
        sp::NodeDescriptor d{"uitest.const_int", 1, "Constant", "Math"};
        d.outputs = {sp::PortSpec::required("value", P::Int)};
        d.params = {sp::ParamSpec::integer("value", 1).range(-1000, 1000).withHelp("The constant value")};
        r->add<ConstIntNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.add", 1, "Add", "Math"};
        d.inputs = {sp::PortSpec::required("a", P::Int), sp::PortSpec::optionalInput("b", P::Int)};
        d.outputs = {sp::PortSpec::required("sum", P::Int)};
        d.params = {sp::ParamSpec::integer("offset", 0).range(-10, 10)};
        d.isOutput = true;
        r->add<AddNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.load", 1, "Load Model", "Loaders"};
        d.outputs = {sp::PortSpec::required("model", kModel)};
        d.params = {
            sp::ParamSpec::path("folder", "/models/demo", sp::PathMode::Folder).withHelp("Model folder"),
            sp::ParamSpec::choice("device", {"cpu", "cuda"}, "cpu").withHelp("Where the model runs")};
        r->add<LoadNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.encode", 1, "Text Encode", "Conditioning"};
        d.inputs = {sp::PortSpec::required("model", kModel)};
        d.outputs = {sp::PortSpec::required("cond", kConditioning)};
        d.params = {sp::ParamSpec::text("prompt", "a cat").asMultiline().withHelp("What the video shows")};
        r->add<EncodeNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.sampler", 1, "Sampler", "Sampling"};
        d.inputs = {sp::PortSpec::required("model", kModel), sp::PortSpec::required("cond", kConditioning)};
        d.outputs = {sp::PortSpec::required("latent", kLatent)};
        d.params = {
            sp::ParamSpec::integer("seed", 42).withHelp("Noise seed"),
            sp::ParamSpec::integer("steps", 4).range(1, 1000).withHelp("Sampling steps"),
            sp::ParamSpec::integer("step_ms", 1).range(0, 100000),
            sp::ParamSpec::integer("frames", 3).range(1, 21),
            sp::ParamSpec::real("guidance", 6.0).range(0.0, 30.0).withStep(0.5).withHelp("CFG scale")};
        r->add<SamplerNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.decode", 1, "Decode", "Latent"};
        d.inputs = {sp::PortSpec::required("latent", kLatent)};
        d.outputs = {sp::PortSpec::required("video", P::Video)};
        d.params = {sp::ParamSpec::integer("frames", 5).range(1, 100)};
        r->add<DecodeNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.output", 1, "Preview Video", "Output"};
        d.inputs = {sp::PortSpec::required("video", P::Video)};
        d.isOutput = true;
        d.alwaysRun = true;
        r->add<OutputNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.show", 1, "Show Video", "Output"};  // cached, unlike uitest.output
        d.inputs = {sp::PortSpec::required("video", P::Video)};
        d.isOutput = true;
        r->add<OutputNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.save", 1, "Save Video", "Output"};
        d.inputs = {sp::PortSpec::required("video", P::Video)};
        d.outputs = {sp::PortSpec::required("path", P::String)};
        d.params = {sp::ParamSpec::text("filename", "a_rather_long_output_file_name_for_the_clip_00001.txt")
                        .withHelp("Name of the file written")};
        d.isOutput = true;
        r->add<SaveNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.sizer", 1, "Sizer", "Latent"};
        d.inputs = {sp::PortSpec::optionalInput("latent", kLatent)};
        d.outputs = {sp::PortSpec::required("latent", kLatent)};
        d.params = {
            sp::ParamSpec::integer("width", 64).range(16, 1024).onStepGrid(16).fromInput("latent"),
            sp::ParamSpec::integer("frames", 9).range(1, 101).onStepGrid(4).withHelp("1 + 4·k frames"),
            sp::ParamSpec::choice("scheduler", {"euler", "dpm", "unipc"}, "euler"),
            sp::ParamSpec::real("shift", 8.0).range(0, 100).withStep(0.5),
            sp::ParamSpec::boolean("resolution_binning_for_long_labels", false).withHelp("A long label"),
            sp::ParamSpec::integer("hidden_by_default", 3).showOnNode(false)};
        r->add<SizerNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.image", 1, "Load Image", "Loaders"};
        d.outputs = {sp::PortSpec::required("image", P::Image)};
        d.params = {
            sp::ParamSpec::path("path", "", sp::PathMode::OpenFile).withFilter("Images (*.png *.jpg)")};
        r->add<ImageNode>(d);
    }
    {
        sp::NodeDescriptor d{"uitest.fail", 1, "Fail", "Math"};
        d.inputs = {sp::PortSpec::required("value", P::Int)};
        d.outputs = {sp::PortSpec::required("value", P::Int)};
        d.params = {sp::ParamSpec::boolean("fail", true)};
        d.isOutput = true;
        r->add<FailNode>(d);
    }
    return r;
}

// ---- window fixture
// ---------------------------------------------------------------------------------------------

/// A registry, temporary folders and a shown MainWindow (the file manager replaced by a recorder).
struct Studio {
    QTemporaryDir dir;
    std::unique_ptr<sp::NodeRegistry> registry = makeRegistry();
    std::unique_ptr<MainWindow> window;
    std::vector<QUrl> opened;  ///< folders "revealed" in the file manager

    StudioOptions options;

    Studio() : Studio(makeRegistry()) {}
    /// With other node types (makeRegistry() plus the test's own).
    explicit Studio(std::unique_ptr<sp::NodeRegistry> nodes) : registry(std::move(nodes)) {
        app();
        StudioOptions& o = options;
        o.autosaveDir = dir.filePath(QStringLiteral("autosave"));
        o.outputDir = dir.filePath(QStringLiteral("out"));
        o.historyFile = dir.filePath(QStringLiteral("history.json"));
        o.confirmDiscard = false;
        o.openUrl = [this](const QUrl& url) {
            opened.push_back(url);
            return true;
        };
        window = std::make_unique<MainWindow>(*registry, o);
        window->resize(1400, 900);
        window->show();
        window->activateWindow();
        EXPECT_TRUE(QTest::qWaitForWindowExposed(window.get()));
    }
    ~Studio() {
        window.reset();  // before the registry
    }
};

/// The document as canonical JSON text: nodes sorted by id, links sorted, so that documents with the same
/// content compare equal whatever order their arrays are in.
inline std::string canonical(const sp::GraphDocument& doc) {
    nlohmann::json j = doc.toJson();
    auto& nodes = j["nodes"];
    std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a["id"] < b["id"]; });
    auto& links = j["links"];
    std::sort(links.begin(), links.end(), [](const auto& a, const auto& b) { return a.dump() < b.dump(); });
    return j.dump(1);
}

// ---- graphs and runs
// --------------------------------------------------------------------------------------------------

/// The test stand-in for the text-to-video chain.
struct Chain {
    QString load, encode, sampler, decode, output;
};

/// load → encode → sampler (`steps` of `stepMs` each) → decode → a node of `outputType`, left to right.
inline Chain buildChain(MainWindow& w, int steps = 3, int stepMs = 1,
                        const QString& outputType = QStringLiteral("uitest.output")) {
    GraphEditor& ed = w.editor();
    Chain c{ed.addNode(QStringLiteral("uitest.load"), {0, 0}),
            ed.addNode(QStringLiteral("uitest.encode"), {300, 0}),
            ed.addNode(QStringLiteral("uitest.sampler"), {650, 0}),
            ed.addNode(QStringLiteral("uitest.decode"), {950, 0}), ed.addNode(outputType, {1250, 0})};
    auto link = [&](const QString& a, const char* out, const QString& b, const char* in) {
        EXPECT_FALSE(ed.connectPorts({a.toStdString(), out}, {b.toStdString(), in}));
    };
    link(c.load, "model", c.encode, "model");
    link(c.load, "model", c.sampler, "model");
    link(c.encode, "cond", c.sampler, "cond");
    link(c.sampler, "latent", c.decode, "latent");
    link(c.decode, "video", c.output, "video");
    ed.setParam(c.sampler, QStringLiteral("steps"), steps);
    ed.setParam(c.sampler, QStringLiteral("step_ms"), stepMs);
    return c;
}

/// A constant (k) feeding a node that fails on it (f: "deliberate failure on value N" while its `fail` is
/// on).
struct FailingPair {
    QString constant, failing;
};

inline FailingPair buildFailingPair(MainWindow& w) {
    GraphEditor& ed = w.editor();
    FailingPair p{ed.addNode(QStringLiteral("uitest.const_int"), {0, 0}),
                  ed.addNode(QStringLiteral("uitest.fail"), {300, 0})};
    EXPECT_FALSE(ed.connectPorts({p.constant.toStdString(), "value"}, {p.failing.toStdString(), "value"}));
    return p;
}

/// Waits until job `job` is over and the queue idle.
inline bool waitJobDone(MainWindow& w, int job, int timeoutMs = 20000) {
    return QTest::qWaitFor(
        [&] {
            const Job* j = w.runQueue().job(job);
            return j && j->isDone() && !w.runQueue().isBusy();
        },
        timeoutMs);
}

// ---- input
// ------------------------------------------------------------------------------------------------------

/// Sends a mouse event to a view's viewport at a viewport position.
inline void sendMouse(QGraphicsView* view, QEvent::Type type, QPoint pos, Qt::MouseButton button,
                      Qt::MouseButtons buttons, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    QWidget* vp = view->viewport();
    QMouseEvent ev(type, QPointF(pos), vp->mapToGlobal(QPointF(pos)), button, buttons, mods);
    QApplication::sendEvent(vp, &ev);
}

/// A left-button drag between two scene points, in `steps` moves.
inline void dragScene(QGraphicsView* view, QPointF fromScene, QPointF toScene,
                      Qt::KeyboardModifiers mods = Qt::NoModifier, int steps = 6) {
    const QPoint a = view->mapFromScene(fromScene), b = view->mapFromScene(toScene);
    sendMouse(view, QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton, mods);
    for (int i = 1; i <= steps; ++i) {
        const QPoint p = a + (b - a) * i / steps;
        sendMouse(view, QEvent::MouseMove, p, Qt::NoButton, Qt::LeftButton, mods);
    }
    sendMouse(view, QEvent::MouseButtonRelease, b, Qt::LeftButton, Qt::NoButton, mods);
}

inline void clickScene(QGraphicsView* view, QPointF scenePos, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    const QPoint p = view->mapFromScene(scenePos);
    sendMouse(view, QEvent::MouseButtonPress, p, Qt::LeftButton, Qt::LeftButton, mods);
    sendMouse(view, QEvent::MouseButtonRelease, p, Qt::LeftButton, Qt::NoButton, mods);
}

#ifdef SV_STUDIO_EXE
/// What a run of the sanavideo-studio program did.
struct StudioRun {
    int code = -1;
    QString out, err;
};

/// Runs the sanavideo-studio program with no display and a scratch home (settings, autosaves, outputs), with
/// `env` ("NAME=value") on top.
inline StudioRun runStudioProgram(const QStringList& args, const QTemporaryDir& home,
                                  const QStringList& env = {}) {
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        e.remove(QString::fromLatin1(name));
    e.insert(QStringLiteral("HOME"), home.path());
    e.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    e.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    for (const QString& kv : env) e.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    p.setProcessEnvironment(e);
    p.start(QStringLiteral(SV_STUDIO_EXE), args);
    EXPECT_TRUE(p.waitForFinished(300000)) << args.join(u' ').toStdString();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}
#endif

}  // namespace sv::ui::test
