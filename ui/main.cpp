// sanavideo-studio: the node editor. With no argument it opens the text-to-video template; with a path it
// opens that graph (or the graph embedded in an MP4 written by Save Video). --help and --version work without
// a display: the command line is read before the GUI starts.
#include <QApplication>

#include "app/application.h"

int main(int argc, char** argv) {
    QStringList arguments;
    for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
    QCoreApplication::setApplicationName(QStringLiteral("sanavideo-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SV_UI_VERSION_STRING));
    int exitCode = -1;
    const sv::ui::StudioLaunch launch = sv::ui::parseCommandLine(arguments, &exitCode);
    if (exitCode >= 0) return exitCode;

    QApplication app(argc, argv);
    sv::ui::setupApplication(app);
    return sv::ui::runStudio(app, launch);
}
