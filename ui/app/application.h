// Application start-up: names, theme and icon; the graph templates; loading node packs; opening the first
// graph; the command line.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

class QApplication;

namespace sv::ui {

/// Registers the embedded resources (icon, fallback default graphs). Idempotent.
void initResources();
/// Organisation / application names (QSettings, QStandardPaths), version, theme and window icon.
void setupApplication(QApplication& app);

/// The folders that may hold the graph templates, in lookup order: next to the executable
/// (../share/sanavideo/graphs), the source tree's resources/graphs, the copy embedded at build time.
QStringList templateFolders();
/// Where a template (e.g. "text-to-video.json") is found, in templateFolders() order; "" when none.
QString defaultGraphPath(const QString& name);
/// A graph template: its file and the title and description of its metadata.
struct GraphTemplate {
    QString path;
    QString title;
    QString description;
};
/// The templates of the first template folder that has any: text-to-video first, image-to-video second, the
/// others by file name.
QList<GraphTemplate> graphTemplates();
/// Whether `path` is a file of a template folder (it opens untitled, so saving never writes over it).
bool isTemplateFile(const QString& path);

/// What the command line asked for.
struct StudioLaunch {
    QString path;        ///< graph JSON or MP4 to open ("" → the text-to-video template)
    QStringList sets;    ///< "NODE.PARAM=VALUE" overrides applied after opening
    bool run = false;    ///< queue the graph at once
    QString screenshot;  ///< save a picture of the window here, then quit
    /// When to take it: "idle" (the queue is idle: after the run, if any) or "step:N" (a node reached step N;
    /// the run is then cancelled).
    QString screenshotAt = QStringLiteral("idle");
    int timeoutSeconds = 3600;  ///< give up waiting for the screenshot after this long (exit code 2)
};

/// Parses the command line (without needing a display). Returns nullopt-like exit: when `exitCode` is set
/// (>= 0) the caller exits with it — help, version or a usage error were printed.
StudioLaunch parseCommandLine(const QStringList& arguments, int* exitCode);

/// Loads node packs, shows the main window with the launch's graph and runs the event loop. Returns the exit
/// code: 0, or 3 when a queued job failed or was refused (with --run), 2 on a screenshot timeout, 1 when the
/// screenshot cannot be written.
int runStudio(QApplication& app, const StudioLaunch& launch);

}  // namespace sv::ui
