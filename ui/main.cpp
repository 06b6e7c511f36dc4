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
    parser.process(app);

    return sv::ui::runStudio(app, parser.positionalArguments().value(0));
}
