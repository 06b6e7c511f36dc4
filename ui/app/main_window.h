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
    sp::GraphDocument& document() { return m_doc; }
    const sp::NodeRegistry& registry() const { return m_registry; }
    GraphModel& model() { return *m_model; }
    GraphEditor& editor() { return *m_editor; }
    GraphScene& scene() { return *m_scene; }
    GraphView* view() const { return m_view; }
    Inspector* inspector() const { return m_inspector; }
    PreviewPane* preview() const { return m_preview; }
    LogPanel* logPanel() const { return m_log; }
    QueuePanel* queuePanel() const { return m_queuePanel; }
    NodeList* nodeList() const { return m_nodeList; }
    RunQueue& runQueue() { return *m_queue; }
    const Actions& actions() const { return m_actions; }

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
    const QString& currentFile() const { return m_file; }
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

    const sp::NodeRegistry& m_registry;
    StudioOptions m_options;
    sp::GraphDocument m_doc;
    std::unique_ptr<GraphModel> m_model;
    std::unique_ptr<GraphEditor> m_editor;
    std::unique_ptr<GraphScene> m_scene;
    std::unique_ptr<RunQueue> m_queue;
    std::unique_ptr<Session> m_session;

    GraphView* m_view = nullptr;
    Inspector* m_inspector = nullptr;
    PreviewPane* m_preview = nullptr;
    LogPanel* m_log = nullptr;
    QueuePanel* m_queuePanel = nullptr;
    NodeList* m_nodeList = nullptr;
    QDockWidget* m_logDock = nullptr;
    QDockWidget* m_previewDock = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_runStatus = nullptr;
    QTimer* m_autosaveTimer = nullptr;
    Actions m_actions;

    QString m_file;
    bool m_autosaveDirty = false;
    bool m_forceModified = false;  // a recovered or template graph counts as unsaved
    int m_generation = 0;          // bumped when another document is loaded
    QHash<int, int> m_jobGeneration;
    // The node whose live preview or result the pane shows; each node's last progress (step, steps).
    QString m_previewNode;
    QHash<QString, qint64> m_nodeStep;
    QHash<QString, qint64> m_nodeSteps;
    // The last picture result of each node (IMAGE/VIDEO outputs or displays), for the view flag.
    QHash<QString, Displayable> m_results;
    QHash<int, Displayable> m_jobResults;  // newest jobs only
};

}  // namespace sv::ui
