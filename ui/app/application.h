// Application start-up: names, theme and icon; loading node packs; opening the first graph.
#pragma once

#include <QString>

class QApplication;

namespace sv::ui {

/// Registers the embedded resources (icon, fallback default graphs). Idempotent.
void initResources();
/// Organisation / application names (QSettings, QStandardPaths), version, theme and window icon.
void setupApplication(QApplication& app);
/// Where a default graph (e.g. "text-to-video.json") is found, in order: next to the executable
/// (../share/sanavideo/graphs), the source tree's resources/graphs, the copy embedded at build time. "" when
/// none.
QString defaultGraphPath(const QString& name);
/// What the command line asked for.
struct StudioLaunch {
    QString path;               ///< graph JSON or MP4 to open ("" → the default text-to-video graph)
    bool run = false;           ///< queue the graph at once
    QString screenshot;         ///< save a picture of the window here once the queue is idle, then quit
    int timeoutSeconds = 3600;  ///< give up waiting for the screenshot after this long (exit code 2)
};

/// Loads node packs, shows the main window with the launch's graph and runs the event loop. Returns the exit
/// code.
int runStudio(QApplication& app, const StudioLaunch& launch);

}  // namespace sv::ui
