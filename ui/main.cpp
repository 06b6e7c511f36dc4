// sanavideo-studio: the node editor. With no argument it opens the default text-to-video graph; with a path
// it opens that graph (or the graph embedded in an MP4 written by Save Video).
#include <QApplication>
#include <QCommandLineParser>

#include "app/application.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    sv::ui::setupApplication(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Sana Video Studio — node editor for SANA-Video"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("graph"),
                                 QStringLiteral("Graph JSON, or an MP4 written by Save Video, to open"));
    const QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Queue the graph right away."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Once the queue is idle, save a picture of the window to "
                       "<file> and quit (works with QT_QPA_PLATFORM=offscreen)."),
        QStringLiteral("file"));
    parser.addOption(run);
    parser.addOption(screenshot);
    parser.process(app);

    sv::ui::StudioLaunch launch;
    launch.path = parser.positionalArguments().value(0);
    launch.run = parser.isSet(run);
    launch.screenshot = parser.value(screenshot);
    return sv::ui::runStudio(app, launch);
}
