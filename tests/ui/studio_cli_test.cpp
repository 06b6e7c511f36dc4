// The sanavideo-studio command line, run as a program: --help and --version work without a display (no X
// server, no platform plugin chosen), bad options fail with the usage, and --run --screenshot exits non-zero
// when the graph is refused (the screenshot is still written).
#include <QFile>
#include <QTemporaryDir>

#include "ui_test_support.h"

namespace sv::ui::test {
namespace {

#ifdef SV_STUDIO_EXE

TEST(StudioCommandLine, HelpAndVersionNeedNoDisplay) {
    QTemporaryDir home;
    const StudioRun help = runStudioProgram({QStringLiteral("--help")}, home);
    EXPECT_EQ(help.code, 0) << help.err.toStdString();
    EXPECT_TRUE(help.out.contains(QStringLiteral("Usage: sanavideo-studio"))) << help.out.toStdString();
    EXPECT_TRUE(help.out.contains(QStringLiteral("--screenshot")));
    EXPECT_TRUE(help.out.contains(QStringLiteral("--set")));
    const StudioRun version = runStudioProgram({QStringLiteral("--version")}, home);
    EXPECT_EQ(version.code, 0) << version.err.toStdString();
    EXPECT_TRUE(version.out.startsWith(QStringLiteral("sanavideo-studio "))) << version.out.toStdString();
    const StudioRun bad = runStudioProgram({QStringLiteral("--no-such-option")}, home);
    EXPECT_EQ(bad.code, 1);
    EXPECT_TRUE(bad.err.contains(QStringLiteral("no-such-option"))) << bad.err.toStdString();
    const StudioRun when =
        runStudioProgram({QStringLiteral("--screenshot-at"), QStringLiteral("sometimes")}, home);
    EXPECT_EQ(when.code, 1);
}

TEST(StudioCommandLine, RunScreenshotExitsNonZeroWhenTheGraphIsRefused) {
    QTemporaryDir home;
    // A graph whose node type no installed pack provides: refused before it is queued.
    const QString graph = home.filePath(QStringLiteral("broken.json"));
    QFile f(graph);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "sanavideo.graph", "version": 1, "nodes": [
        {"id": "x", "type": "nowhere.node", "version": 1, "params": {}}], "links": []})");
    f.close();
    const QString shot = home.filePath(QStringLiteral("shot.png"));
    const StudioRun r =
        runStudioProgram({QStringLiteral("--run"), QStringLiteral("--screenshot"), shot, graph}, home,
                         {QStringLiteral("QT_QPA_PLATFORM=offscreen")});
    EXPECT_EQ(r.code, 3) << r.out.toStdString() << r.err.toStdString();
    EXPECT_TRUE(QFile::exists(shot));
    // Without --run nothing fails.
    const StudioRun idle = runStudioProgram({QStringLiteral("--screenshot"), shot, graph}, home,
                                            {QStringLiteral("QT_QPA_PLATFORM=offscreen")});
    EXPECT_EQ(idle.code, 0) << idle.err.toStdString();
}

#else

TEST(StudioCommandLine, Skipped) {
    GTEST_SKIP() << "built without the sanavideo-studio executable";
}

#endif

}  // namespace
}  // namespace sv::ui::test
