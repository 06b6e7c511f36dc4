// The inspector, files and the preview pane driven through their widgets: editing parameters (spin box,
// slider, combo box, prompt text, path), save and reopen, recent files, autosave and crash recovery,
// restoring a graph from an MP4's metadata, and the player controls.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QToolButton>
#include <QUndoStack>
#include <QtEndian>

#include "app/graph_editor.h"
#include "app/session.h"
#include "app/video_graph.h"
#include "canvas/graph_model.h"
#ifdef SV_HAVE_FFMPEG
#include "media/video_writer.h"
#endif
#include "canvas/graph_scene.h"
#include "canvas/graph_view.h"
#include "canvas/node_item.h"
#include "panels/inspector.h"
#include "panels/param_widgets.h"
#include "panels/preview_pane.h"
#include "run/value_images.h"
#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

TEST(Inspector, ShowsTheSelectedNodeAndEditsItsParametersUndoably) {
    Studio s;
    MainWindow& w = *s.window;
    const QString sampler = w.editor().addNode(QStringLiteral("uitest.sampler"), {0, 0});
    const QString encode = w.editor().addNode(QStringLiteral("uitest.encode"), {-300, 0});
    const QString load = w.editor().addNode(QStringLiteral("uitest.load"), {-600, 0});
    Inspector* insp = w.inspector();

    // Selecting a node on the canvas shows it.
    w.view()->frameAll();
    clickScene(w.view(), w.scene().nodeItem(sampler)->mapToScene(QPointF(30, 12)));
    ASSERT_EQ(insp->nodeId(), sampler);

    // A ranged INT: slider + spin box; the help text is the tooltip.
    ParamEditor* steps = insp->paramEditor(QStringLiteral("steps"));
    ASSERT_NE(steps, nullptr);
    EXPECT_TRUE(steps->toolTip().contains(QStringLiteral("Sampling steps")));
    auto* spin = steps->findChild<QDoubleSpinBox*>();
    auto* slider = steps->findChild<QSlider*>();
    ASSERT_TRUE(spin && slider);
    EXPECT_EQ(spin->value(), 4);
    spin->setValue(30);
    EXPECT_EQ(w.document().findNode(sampler.toStdString())->params.at("steps"), 30);
    // The canvas shows the same value.
    // Slider drags merge into one undo step.
    const int count = w.editor().undoStack()->count();
    slider->setSliderDown(true);
    for (int v : {100, 200, 300}) slider->setValue(v);
    slider->setSliderDown(false);
    EXPECT_EQ(w.editor().undoStack()->count(), count + 1);
    const auto stepsNow = w.document().findNode(sampler.toStdString())->params.at("steps").get<int>();
    EXPECT_GT(stepsNow, 30);
    w.editor().undoStack()->undo();
    EXPECT_EQ(w.document().findNode(sampler.toStdString())->params.at("steps"), 30);
    EXPECT_EQ(spin->value(), 30);  // the editor follows the document
    w.editor().undoStack()->undo();
    EXPECT_EQ(w.document().findNode(sampler.toStdString())->params.at("steps"), 4);

    // A FLOAT with a step.
    auto* guidance = insp->paramEditor(QStringLiteral("guidance"))->findChild<QDoubleSpinBox*>();
    ASSERT_NE(guidance, nullptr);
    guidance->setValue(7.5);
    EXPECT_DOUBLE_EQ(w.document().findNode(sampler.toStdString())->params.at("guidance").get<double>(), 7.5);

    // A multi-line prompt.
    w.scene().selectNodes({encode});
    ASSERT_EQ(insp->nodeId(), encode);
    auto* prompt = insp->paramEditor(QStringLiteral("prompt"))->findChild<QPlainTextEdit*>();
    ASSERT_NE(prompt, nullptr);
    prompt->setFocus();
    prompt->moveCursor(QTextCursor::End);
    QTest::keyClicks(prompt, QStringLiteral(" on a boat"));
    EXPECT_EQ(w.document().findNode(encode.toStdString())->params.at("prompt"), "a cat on a boat");

    // A combo box and a path field.
    w.scene().selectNodes({load});
    auto* device = insp->paramEditor(QStringLiteral("device"))->findChild<QComboBox*>();
    ASSERT_NE(device, nullptr);
    device->setCurrentIndex(device->findText(QStringLiteral("cuda")));
    emit device->activated(device->currentIndex());
    EXPECT_EQ(w.document().findNode(load.toStdString())->params.at("device"), "cuda");
    auto* folder = insp->paramEditor(QStringLiteral("folder"))->findChild<QLineEdit*>();
    ASSERT_NE(folder, nullptr);
    EXPECT_NE(insp->paramEditor(QStringLiteral("folder"))->findChild<QToolButton*>(), nullptr);  // the picker
    folder->selectAll();
    QTest::keyClicks(folder, QStringLiteral("/data/models/sana"));
    QTest::keyClick(folder, Qt::Key_Return);
    EXPECT_EQ(w.document().findNode(load.toStdString())->params.at("folder"), "/data/models/sana");

    // Bypass from the inspector.
    insp->findChild<QCheckBox*>(QStringLiteral("inspectorBypass"))->click();
    EXPECT_TRUE(w.model().isBypassed(load));
    // Deleting the node clears the inspector.
    w.view()->actions().remove->trigger();
    EXPECT_TRUE(insp->nodeId().isEmpty());
}

TEST(Files, SaveAndReopenGivesTheSameGraph) {
    Studio s;
    MainWindow& w = *s.window;
    GraphEditor& ed = w.editor();
    const QString c = ed.addNode(QStringLiteral("uitest.const_int"), {10, 20});
    const QString a = ed.addNode(QStringLiteral("uitest.add"), {300, 40});
    ASSERT_FALSE(ed.connectPorts({c.toStdString(), "value"}, {a.toStdString(), "a"}));
    ed.setParam(c, QStringLiteral("value"), 9);
    ed.toggleBypass({a});
    ed.setViewed(a);
    EXPECT_TRUE(w.isModified());
    const QString path = s.dir.filePath(QStringLiteral("graph.json"));
    ASSERT_TRUE(w.saveTo(path));
    EXPECT_FALSE(w.isModified());
    EXPECT_EQ(w.currentFile(), QFileInfo(path).absoluteFilePath());
    EXPECT_TRUE(w.windowTitle().startsWith(QStringLiteral("graph.json")));
    EXPECT_EQ(w.recentFiles().value(0), QFileInfo(path).absoluteFilePath());
    const std::string saved = canonical(w.document());

    ASSERT_TRUE(w.newGraph());
    EXPECT_TRUE(w.document().nodes().empty());
    EXPECT_EQ(w.scene().nodeItemCount(), 0);

    Studio other;
    ASSERT_TRUE(other.window->openFile(path));
    EXPECT_EQ(canonical(other.window->document()), saved);
    EXPECT_EQ(other.window->scene().nodeItemCount(), 2);
    EXPECT_EQ(other.window->scene().linkItemCount(), 1);
    EXPECT_TRUE(other.window->model().isBypassed(a));
    EXPECT_EQ(other.window->model().viewedNode(), a);
    EXPECT_EQ(other.window->model().position(c), QPointF(10, 20));
    EXPECT_FALSE(other.window->isModified());
    EXPECT_EQ(other.window->editor().undoStack()->count(), 0);

    // A broken file is reported and leaves the open graph alone.
    QFile broken(s.dir.filePath(QStringLiteral("broken.json")));
    ASSERT_TRUE(broken.open(QIODevice::WriteOnly));
    broken.write("{\"nodes\": 3}");
    broken.close();
    EXPECT_FALSE(other.window->openFile(broken.fileName()));
    EXPECT_EQ(canonical(other.window->document()), saved);
}

TEST(Files, ATemplateIsUntitledAndGetsTheRememberedModelFolder) {
    Studio s;
    const QString tpl = s.dir.filePath(QStringLiteral("template.json"));
    QFile f(tpl);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "sanavideo.graph", "version": 1, "nodes": [
        {"id": "load", "type": "uitest.load", "params": {"folder": "", "device": "cpu"}, "ui": {"pos": [0, 0]}}]})");
    f.close();
    QSettings().setValue(QStringLiteral("paths/modelFolders"),
                         QStringList{QStringLiteral("/data/models/demo")});
    ASSERT_TRUE(s.window->openTemplate(tpl));
    QSettings().remove(QStringLiteral("paths/modelFolders"));
    EXPECT_EQ(s.window->document().findNode("load")->params.at("folder"), "/data/models/demo");
    EXPECT_TRUE(s.window->currentFile().isEmpty());  // Save asks for a name, never overwrites the template
    EXPECT_EQ(s.window->editor().undoStack()->count(), 0);
}

TEST(Files, AutosaveIsRecoveredAfterACrash) {
    QTemporaryDir autosave;
    std::string expected;
    {
        Studio s;
        MainWindow& w = *s.window;
        w.editor().addNode(QStringLiteral("uitest.sampler"), {0, 0});
        w.editor().addNode(QStringLiteral("uitest.decode"), {300, 0});
        expected = canonical(w.document());
        // Simulate a crashed session: copy its autosave under the name of a process that no longer exists.
        const QString path = w.autosaveNow();
        ASSERT_FALSE(path.isEmpty());
        ASSERT_TRUE(QFile::copy(path, autosave.filePath(QStringLiteral("session-999999999-abc.json"))));
        ASSERT_TRUE(QFile::copy(path + QStringLiteral(".meta"),
                                autosave.filePath(QStringLiteral("session-999999999-abc.json.meta"))));
    }
    // A live session's autosave is not offered.
    Session live(autosave.path());
    live.write("{}", {});
    const auto found = Session::findRecoverable(autosave.path());
    ASSERT_EQ(found.size(), 1);
    EXPECT_TRUE(found[0].autosavePath.endsWith(QStringLiteral("session-999999999-abc.json")));

    app();
    auto registry = makeRegistry();
    StudioOptions o;
    o.autosaveDir = autosave.path();
    o.confirmDiscard = false;
    MainWindow w(*registry, o);
    ASSERT_TRUE(w.offerRecovery(false));
    EXPECT_EQ(canonical(w.document()), expected);
    EXPECT_TRUE(w.isModified());
    EXPECT_TRUE(Session::findRecoverable(autosave.path()).isEmpty());  // offered once
}

/// A minimal MP4 whose metadata (moov/udta/meta/ilst/©cmt/data) holds `text`, after an 'mdat' box.
QByteArray fakeMp4(const QByteArray& text) {
    auto box = [](const char* type, const QByteArray& body) {
        QByteArray b(4, '\0');
        qToBigEndian<quint32>(quint32(8 + body.size()), b.data());
        return b + QByteArray(type, 4) + body;
    };
    const QByteArray data = box("data", QByteArray("\0\0\0\1\0\0\0\0", 8) + text);
    const QByteArray ilst = box("ilst", box("\xa9"
                                            "cmt",
                                            data));
    const QByteArray hdlr = box("hdlr", QByteArray(8, '\0') + "mdirappl" + QByteArray(9, '\0'));
    const QByteArray meta = box("meta", QByteArray(4, '\0') + hdlr + ilst);
    const QByteArray moov = box("moov", box("mvhd", QByteArray(100, '\0')) + box("udta", meta));
    return box("ftyp", QByteArray("isom\0\0\2\0isomiso2mp41", 20)) + box("mdat", QByteArray(64, 'x')) + moov;
}

TEST(Files, DroppingAnMp4WithAnEmbeddedGraphRestoresIt) {
    Studio s;
    MainWindow& w = *s.window;
    w.editor().addNode(QStringLiteral("uitest.sampler"), {0, 0});
    w.editor().addNode(QStringLiteral("uitest.const_int"), {0, 300});
    const std::string expected = canonical(w.document());
    const QByteArray graph = QByteArray::fromStdString(w.document().toText(0));

    const QString video = s.dir.filePath(QStringLiteral("clip.mp4"));
    QFile f(video);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(fakeMp4(graph));
    f.close();
    EXPECT_EQ(graphJsonFromVideo(video), graph);

    Studio other;
    emit other.window->view()->fileDropped(video);
    EXPECT_EQ(canonical(other.window->document()), expected);
    EXPECT_TRUE(other.window->currentFile().isEmpty());  // saving must not overwrite the video
    EXPECT_TRUE(other.window->isModified());

    // An MP4 without a graph, and a file that is no MP4 at all, are reported, not crashes.
    const QString plain = s.dir.filePath(QStringLiteral("plain.mp4"));
    QFile p(plain);
    ASSERT_TRUE(p.open(QIODevice::WriteOnly));
    p.write(fakeMp4("{\"title\": \"not a graph\"}"));
    p.close();
    QString error;
    EXPECT_TRUE(graphJsonFromVideo(plain, &error).isEmpty());
    EXPECT_TRUE(error.contains(QStringLiteral("no node graph embedded"))) << error.toStdString();
    EXPECT_FALSE(other.window->openFile(plain));
    EXPECT_TRUE(graphJsonFromVideo(s.dir.filePath(QStringLiteral("missing.mp4")), &error).isEmpty());
    EXPECT_EQ(canonical(other.window->document()), expected);
}

#ifdef SV_HAVE_FFMPEG
TEST(Files, AnMp4WrittenByTheVideoWriterCarriesItsGraphBack) {
    Studio s;
    MainWindow& w = *s.window;
    w.editor().addNode(QStringLiteral("uitest.sampler"), {0, 0});
    w.editor().addNode(QStringLiteral("uitest.decode"), {300, 0});
    ASSERT_FALSE(w.editor().connectPorts({"sampler", "latent"}, {"decode", "latent"}));
    const std::string expected = canonical(w.document());
    // What Save Video does: the graph JSON under the media layer's graph key.
    sv::media::VideoWriterOptions options;
    options.metadata[sv::media::kGraphMetadataKey] = w.document().toText(2);
    const QString video = s.dir.filePath(QStringLiteral("written.mp4"));
    sv::media::writeVideo(video.toStdString(), sv::Tensor::zeros({2, 16, 16, 3}, sv::DType::U8), options);

    QString error;
    const QByteArray json = graphJsonFromVideo(video, &error);
    ASSERT_FALSE(json.isEmpty()) << error.toStdString();
    Studio other;
    ASSERT_TRUE(other.window->openFile(video));
    EXPECT_EQ(canonical(other.window->document()), expected);
}
#endif

TEST(Preview, PlaysScrubsStepsAndLoops) {
    app();
    PreviewPane pane;
    pane.resize(400, 300);
    pane.show();
    QList<QImage> frames;
    for (int i = 0; i < 5; ++i) {
        QImage img(8, 4, QImage::Format_RGB888);
        img.fill(QColor(i * 40, 0, 0));
        frames << img;
    }
    pane.showFrames(frames, 50.0, QStringLiteral("clip"), false);
    EXPECT_EQ(pane.mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(pane.frameCount(), 5);
    EXPECT_FALSE(pane.isPlaying());
    EXPECT_EQ(pane.findChild<QLabel*>(QStringLiteral("previewCounter"))->text(), QStringLiteral("1 / 5"));

    pane.setFocus();
    QTest::keyClick(&pane, Qt::Key_Right);
    EXPECT_EQ(pane.currentFrame(), 1);
    QTest::keyClick(&pane, Qt::Key_Left);
    QTest::keyClick(&pane, Qt::Key_Left);  // loops to the end
    EXPECT_EQ(pane.currentFrame(), 4);
    pane.setLoop(false);
    QTest::keyClick(&pane, Qt::Key_Right);  // no wrap without loop
    EXPECT_EQ(pane.currentFrame(), 4);

    // Scrubbing.
    pane.findChild<QSlider*>(QStringLiteral("previewScrub"))->setValue(2);
    EXPECT_EQ(pane.currentFrame(), 2);
    EXPECT_EQ(pane.currentImage().pixelColor(0, 0).red(), 80);

    // Space plays; without loop it stops on the last frame.
    QTest::keyClick(&pane, Qt::Key_Space);
    EXPECT_TRUE(pane.isPlaying());
    EXPECT_TRUE(QTest::qWaitFor([&] { return !pane.isPlaying(); }, 3000));
    EXPECT_EQ(pane.currentFrame(), 4);
    // With loop it keeps going.
    pane.setLoop(true);
    pane.play();
    QTest::qWait(300);
    EXPECT_TRUE(pane.isPlaying());
    QTest::keyClick(&pane, Qt::Key_Space);
    EXPECT_FALSE(pane.isPlaying());

    // Latent previews keep the position across steps.
    pane.showLatentPreview(frames.mid(0, 3), 1, 10);
    EXPECT_EQ(pane.mode(), PreviewPane::Mode::Latent);
    EXPECT_DOUBLE_EQ(pane.fps(), 4.0);  // a latent frame stands for four frames of a 16 fps clip
    pane.pause();
    pane.setCurrentFrame(2);
    pane.showLatentPreview(frames.mid(1, 3), 2, 10);
    EXPECT_EQ(pane.currentFrame(), 2);
    EXPECT_FALSE(pane.isPlaying());  // the user's pause holds across steps
    EXPECT_TRUE(pane.statusText().contains(QStringLiteral("step 2/10")));
    pane.clear();
    EXPECT_EQ(pane.frameCount(), 0);
}

QList<QImage> redFrames(int n, int base) {
    QList<QImage> frames;
    for (int i = 0; i < n; ++i) {
        QImage img(6, 4, QImage::Format_RGB888);
        img.fill(QColor(base + i, 0, 0));
        frames << img;
    }
    return frames;
}

TEST(Preview, MultiFrameLatentPreviewAnimatesAndFollowsTheSteps) {
    app();
    PreviewPane pane;
    pane.resize(400, 300);
    pane.show();
    auto* counter = pane.findChild<QLabel*>(QStringLiteral("previewCounter"));
    auto* scrub = pane.findChild<QSlider*>(QStringLiteral("previewScrub"));

    // Step 1 of 4: five latent frames play in a loop at the preview's own rate.
    pane.showLatentPreview(redFrames(5, 10), 1, 4, 50.0);
    EXPECT_EQ(pane.mode(), PreviewPane::Mode::Latent);
    EXPECT_EQ(pane.frameCount(), 5);
    EXPECT_TRUE(pane.isPlaying());
    EXPECT_DOUBLE_EQ(pane.fps(), 50.0);
    EXPECT_TRUE(pane.statusText().contains(QStringLiteral("step 1/4"))) << pane.statusText().toStdString();
    EXPECT_EQ(counter->text(), QStringLiteral("1 / 5"));
    EXPECT_TRUE(scrub->isEnabled());
    EXPECT_EQ(scrub->maximum(), 4);
    // The frames advance one at a time over time and wrap around.
    QSignalSpy frameChanges(&pane, &PreviewPane::currentFrameChanged);
    ASSERT_TRUE(QTest::qWaitFor([&] { return frameChanges.size() >= 7; }, 5000));
    int previous = 0;
    for (const auto& args : frameChanges) {
        EXPECT_EQ(args.at(0).toInt(), (previous + 1) % 5);
        previous = args.at(0).toInt();
    }
    EXPECT_EQ(pane.currentImage().pixelColor(0, 0).red(), 10 + pane.currentFrame());
    EXPECT_EQ(scrub->value(), pane.currentFrame());

    // Step 2 replaces the frames without a jump: same index, still playing, new pixels and caption.
    pane.pause();
    pane.setCurrentFrame(3);
    pane.play();
    pane.showLatentPreview(redFrames(5, 100), 2, 4, 50.0);
    EXPECT_EQ(pane.currentFrame(), 3);
    EXPECT_TRUE(pane.isPlaying());
    EXPECT_EQ(pane.currentImage().pixelColor(0, 0).red(), 103);
    EXPECT_TRUE(pane.statusText().contains(QStringLiteral("step 2/4")));
    // Fewer frames: the playhead keeps its index modulo the new count.
    pane.pause();
    pane.setCurrentFrame(4);
    pane.showLatentPreview(redFrames(3, 200), 3, 4, 50.0);
    EXPECT_EQ(pane.currentFrame(), 1);
    EXPECT_EQ(counter->text(), QStringLiteral("2 / 3"));

    // Scrubbing and stepping work on the preview like on a clip.
    scrub->setValue(2);
    EXPECT_EQ(pane.currentImage().pixelColor(0, 0).red(), 202);
    pane.setFocus();
    QTest::keyClick(&pane, Qt::Key_Right);
    EXPECT_EQ(pane.currentFrame(), 0);

    // The decoded clip takes over from the first frame.
    pane.showFrames(redFrames(9, 50), 16.0, QStringLiteral("decoded"));
    EXPECT_EQ(pane.mode(), PreviewPane::Mode::Video);
    EXPECT_EQ(pane.currentFrame(), 0);
    EXPECT_EQ(pane.frameCount(), 9);
    EXPECT_FALSE(pane.statusText().contains(QStringLiteral("step")));
    // A later run's first preview starts again from frame 0 at the default rate when none is given.
    pane.showLatentPreview(redFrames(2, 0), 1, 4);
    EXPECT_EQ(pane.mode(), PreviewPane::Mode::Latent);
    EXPECT_EQ(pane.currentFrame(), 0);
    EXPECT_DOUBLE_EQ(pane.fps(), PreviewPane::kDefaultLatentFps);
}

TEST(Preview, PreviewFramesSplitsAMultiFramePreview) {
    sp::PreviewImage p;
    p.width = 3;
    p.height = 2;
    p.frameCount = 4;
    for (int f = 0; f < 4; ++f) p.rgb.insert(p.rgb.end(), p.frameBytes(), uint8_t(f * 20));
    const QList<QImage> frames = previewFrames(p);
    ASSERT_EQ(frames.size(), 4);
    for (int f = 0; f < 4; ++f) {
        EXPECT_EQ(frames[f].size(), QSize(3, 2));
        EXPECT_EQ(frames[f].pixelColor(2, 1).green(), f * 20);
    }
    p.rgb.pop_back();  // malformed: no frames rather than garbage
    EXPECT_TRUE(previewFrames(p).isEmpty());
    p.rgb.clear();
    p.frameCount = 0;
    EXPECT_TRUE(previewFrames(p).isEmpty());
}

}  // namespace
}  // namespace sv::ui::test
