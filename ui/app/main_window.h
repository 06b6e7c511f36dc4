// MainWindow: the editor. It owns the GraphDocument (the only graph state), the model adapter, the editor
// (undo stack), the canvas, the docks (node list, inspector, preview, queue, log) and the run queue. The node
// registry is injected, so tests run graphs of in-process test nodes and the app runs the loaded node packs.
//
// The implementation is split by concern: main_window.cpp (layout, actions), main_window_files.cpp (new,
// open, save, recent files, autosave and recovery, drops), main_window_run.cpp (queueing runs, executor
// events onto the canvas, preview and log).
#pragma once

#include <QHash>
#include <QMainWindow>
#include <QPointer>

#include <memory>
#include <optional>

#include "plugin/exec/events.h"
#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"
#include "run/value_images.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QTimer;

namespace sv::ui {

class GraphEditor;
class GraphModel;
class GraphScene;
class GraphView;
class Inspector;
class LogPanel;
class NodeList;
class PreviewPane;
class QueuePanel;
class RunQueue;
class Session;

struct StudioOptions {
    /// Folder for autosaves and session locks; "" → <AppDataLocation>/autosave.
    QString autosaveDir;
    /// Milliseconds between autosaves of a modified graph.
    int autosaveIntervalMs = 20000;
    /// Ask (modal) before discarding unsaved changes. Tests turn this off.
    bool confirmDiscard = true;
    /// Folder where runs write their outputs; "" → the "run/outputDir" setting, else <Movies>/SanaVideo.
    QString outputDir;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(const sp::NodeRegistry& registry, StudioOptions options = {},
                        QWidget* parent = nullptr);
    ~MainWindow() override;

    struct Actions {
        QAction* newGraph = nullptr;
        QAction* open = nullptr;
        QAction* save = nullptr;
        QAction* saveAs = nullptr;
        QAction* quit = nullptr;
        QAction* undo = nullptr;
        QAction* redo = nullptr;
        QAction* run = nullptr;       ///< Ctrl+Enter
        QAction* runFirst = nullptr;  ///< Ctrl+Shift+Enter
        QAction* cancel = nullptr;    ///< Escape
        QAction* clearCache = nullptr;
    };

    // ---- parts (for the app and for tests)
    // --------------------------------------------------------------------
    sp::GraphDocument& document() { return doc_; }
    const sp::NodeRegistry& registry() const { return registry_; }
    GraphModel& model() { return *model_; }
    GraphEditor& editor() { return *editor_; }
    GraphScene& scene() { return *scene_; }
    GraphView* view() const { return view_; }
    Inspector* inspector() const { return inspector_; }
    PreviewPane* preview() const { return preview_; }
    LogPanel* logPanel() const { return log_; }
    QueuePanel* queuePanel() const { return queuePanel_; }
    NodeList* nodeList() const { return nodeList_; }
    RunQueue& runQueue() { return *queue_; }
    const Actions& actions() const { return actions_; }

    // ---- files
    // ------------------------------------------------------------------------------------------------
    /// Starts an empty graph (asks about unsaved changes when confirmDiscard). False when the user declined.
    bool newGraph();
    /// Opens a graph JSON, or the graph embedded in an MP4 written by Save Video. Errors go to the log and
    /// the status bar; returns false on failure (the current graph stays).
    bool openFile(const QString& path);
    /// Opens a graph as a new untitled document (the default graphs): saving asks for a file name.
    bool openTemplate(const QString& path);
    /// Saves to `path` (atomically) and makes it the current file.
    bool saveTo(const QString& path);
    bool save();
    bool saveAs();
    const QString& currentFile() const { return file_; }
    bool isModified() const;
    QStringList recentFiles() const;
    /// Writes the autosave now (the timer does it while modified); returns its path ("" on failure).
    QString autosaveNow();
    /// Offers to recover crashed sessions from the autosave folder (modal question unless `ask` is false, in
    /// which case the newest is recovered). Returns whether a graph was recovered.
    bool offerRecovery(bool ask = true);

    // ---- running
    // ----------------------------------------------------------------------------------------------
    /// Queues the current graph (at the front when `first`); returns the job id (0 when nothing was queued).
    int runGraph(bool first = false);
    void cancelRun();
    QString outputDir() const;

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    // main_window.cpp
    void createDocks();
    void createActions();
    void createMenus();
    void updateTitle();
    void onSelectionChanged();
    void refreshNodeList();
    // main_window_files.cpp
    bool maybeDiscard();
    void openWithDialog();
    bool loadDocument(const QByteArray& json, const QString& source, const QString& file);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void onFileDropped(const QString& path);
    void logValidation(const QString& source);
    // main_window_run.cpp
    void onExecutionEvent(int jobId, const sp::ExecutionEvent& event);
    void showViewedResult();
    /// The queue's history: the last picture result of a job, shown when the job is double-clicked.
    void rememberJobResult(int jobId, const Displayable& d);
    void showJobResult(int jobId);
    /// An edit makes the badges of a node and everything downstream stale: back to idle (running ones stay).
    void invalidateFrom(const QString& nodeId);
    void showDisplayable(const QString& nodeId, const Displayable& d, const QString& caption);

    const sp::NodeRegistry& registry_;
    StudioOptions options_;
    sp::GraphDocument doc_;
    std::unique_ptr<GraphModel> model_;
    std::unique_ptr<GraphEditor> editor_;
    std::unique_ptr<GraphScene> scene_;
    std::unique_ptr<RunQueue> queue_;
    std::unique_ptr<Session> session_;

    GraphView* view_ = nullptr;
    Inspector* inspector_ = nullptr;
    PreviewPane* preview_ = nullptr;
    LogPanel* log_ = nullptr;
    QueuePanel* queuePanel_ = nullptr;
    NodeList* nodeList_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QDockWidget* previewDock_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QLabel* runStatus_ = nullptr;
    QTimer* autosaveTimer_ = nullptr;
    Actions actions_;

    QString file_;
    bool autosaveDirty_ = false;
    bool forceModified_ = false;  // a recovered or template graph counts as unsaved
    int generation_ = 0;          // bumped when another document is loaded
    QHash<int, int> jobGeneration_;
    // The node whose live preview or result the pane shows; each node's last progress (step, steps).
    QString previewNode_;
    QHash<QString, qint64> nodeStep_;
    QHash<QString, qint64> nodeSteps_;
    // The last picture result of each node (IMAGE/VIDEO outputs or displays), for the view flag.
    QHash<QString, Displayable> results_;
    QHash<int, Displayable> jobResults_;  // newest jobs only
};

}  // namespace sv::ui
