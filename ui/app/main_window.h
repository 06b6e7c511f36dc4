// MainWindow: the editor. It owns the GraphDocument (the only graph state), the model adapter, the editor
// (undo stack), the canvas, the docks (node list, inspector, preview, queue, log, prompt track) and the run
// queue. The node
// registry is injected, so tests run graphs of in-process test nodes and the app runs the loaded node packs.
//
// The implementation is split by concern: main_window.cpp (layout, actions, menus, toolbar),
// main_window_files.cpp (new, templates, open, save, recent files, autosave and recovery, drops, overrides),
// main_window_run.cpp (checking and queueing runs, batches, cancel, output folder), main_window_events.cpp
// (executor events onto the canvas, the banner, the preview and the log).
#pragma once

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "canvas/graph_model.h"
#include "plugin/exec/events.h"
#include "plugin/graph/graph_document.h"
#include "plugin/graph/validation.h"
#include "plugin/sdk/node_registry.h"
#include "run/value_images.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QSpinBox;
class QTimer;
class QToolButton;

namespace sv::ui {

class Banner;
class GraphEditor;
class GraphScene;
class GraphView;
class Inspector;
class JobHistory;
class LogPanel;
class NodeList;
class PreviewPane;
class PromptTrackPanel;
class QueuePanel;
class RunQueue;
class Session;
struct Job;

/// A validation issue's text for the node it concerns (without the "node 'id' (type): " in front).
QString nodeIssueText(const sp::GraphIssue& issue);

struct StudioOptions {
    /// Folder for autosaves and session locks; "" → <AppDataLocation>/autosave.
    QString autosaveDir;
    /// Milliseconds between autosaves of a modified graph.
    int autosaveIntervalMs = 20000;
    /// Ask (modal) before discarding unsaved changes. Tests turn this off.
    bool confirmDiscard = true;
    /// Folder where runs write their outputs; "" → the "run/outputDir" setting, else <Movies>/SanaVideo.
    QString outputDir;
    /// Opens a folder in the desktop's file manager (Reveal); empty → QDesktopServices::openUrl. Tests
    /// record.
    std::function<bool(const QUrl&)> openUrl;
    /// Where finished jobs are kept across sessions; "" → <AppDataLocation>/history.json.
    QString historyFile;
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
        QAction* undo = nullptr;      ///< Ctrl+Z; its text stays "Undo" (the command is in the tooltip)
        QAction* redo = nullptr;      ///< Ctrl+Shift+Z, Ctrl+Y
        QAction* run = nullptr;       ///< Ctrl+Enter: queues the batch
        QAction* runFirst = nullptr;  ///< Ctrl+Shift+Enter
        QAction* cancel = nullptr;    ///< Ctrl+. anywhere; Escape on the canvas or the queue
        QAction* clearCache = nullptr;
        QAction* outputFolder = nullptr;  ///< choose the output folder
        QAction* revealOutput = nullptr;  ///< open the output folder
        QAction* toggleNodes = nullptr;   ///< show / collapse the Nodes panel
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
    PromptTrackPanel* promptTrack() const { return promptTrack_; }
    QDockWidget* promptTrackDock() const { return promptTrackDock_; }
    NodeList* nodeList() const { return nodeList_; }
    QDockWidget* nodesDock() const { return nodesDock_; }
    Banner* banner() const { return banner_; }
    QSpinBox* batchBox() const { return batch_; }
    QToolButton* queueButton() const { return queueButton_; }
    RunQueue& runQueue() { return *queue_; }
    const Actions& actions() const { return actions_; }
    QMenu* templateMenu() const { return templateMenu_; }

    // ---- files
    // ------------------------------------------------------------------------------------------------
    /// Starts an empty graph (asks about unsaved changes when confirmDiscard). False when the user declined.
    bool newGraph();
    /// Opens a graph JSON, or the graph embedded in an MP4 written by Save Video. A file of the template
    /// folder opens as a template (untitled). Errors go to the log and the status bar; returns false on
    /// failure (the current graph stays).
    bool openFile(const QString& path);
    /// Opens a graph as a new untitled document (the templates): saving asks for a file name, and empty
    /// folder fields take the last model folder used.
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
    /// Sets parameters from "NODE.PARAM=VALUE" texts (the CLI's --set), as one undoable edit. Returns the
    /// problems ("" each when fine), one per text.
    QStringList applyOverrides(const QStringList& sets);
    /// Opens the graph a job ran (its snapshot) as a new untitled document and shows its result.
    bool openJobGraph(int jobId);

    // ---- running
    // ----------------------------------------------------------------------------------------------
    /// Checks the graph and queues batchCount() runs of it (at the front when `first`), the seeds of run i
    /// incremented by i. Returns the first job id; 0 when nothing was queued (empty graph, or problems: then
    /// every problem is listed in the banner and the log, and the nodes concerned are outlined).
    int runGraph(bool first = false);
    /// The problems that would refuse a run of the current graph (errors of the planned nodes, as the
    /// executor checks them), every one of them.
    std::vector<sp::GraphIssue> checkBeforeRun() const;
    void cancelRun();
    int batchCount() const;
    void setBatchCount(int count);
    QString outputDir() const;
    /// Sets the output folder (remembered in the "run/outputDir" setting).
    void setOutputDir(const QString& dir);
    /// Opens the folder holding `path` (or `path` itself when it is a folder) in the file manager.
    bool reveal(const QString& path);

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    // main_window.cpp
    void createCanvas();
    void createDocks();
    void createActions();
    void createRunActions();
    void createMenus();
    void createToolBar();
    void connectModel();
    void updateTitle();
    void updateOutputButton();
    void onSelectionChanged();
    void refreshNodeList();
    // main_window_files.cpp
    bool maybeDiscard();
    void openWithDialog();
    bool loadDocument(const QByteArray& json, const QString& source, const QString& file);
    void applyRememberedModelFolder();
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void rebuildTemplateMenu();
    void onFileDropped(const QString& path);
    void logValidation(const QString& source);
    void resetRunState();
    // main_window_run.cpp
    int enqueueBatch(bool first);
    void showProblems(const std::vector<sp::GraphIssue>& issues);
    void chooseOutputDir();
    // main_window_events.cpp
    void onExecutionEvent(int jobId, const sp::ExecutionEvent& event);
    void onRunStarted(int jobId, const sp::ExecutionEvent& e, bool mine);
    void onNodeProgress(int jobId, const sp::ExecutionEvent& e, bool mine);
    void onNodePreview(const sp::ExecutionEvent& e);
    void onNodeResult(int jobId, const sp::ExecutionEvent& e, bool mine);
    void onRunFinished(int jobId, const sp::ExecutionEvent& e, bool mine);
    void onRunCancelled(int jobId, const sp::ExecutionEvent& e, bool mine);
    void onRunFailed(int jobId, const sp::ExecutionEvent& e, bool mine);
    void setNodeState(const QString& id, NodeStatus::State state, const QString& message = {});
    void updateRunStatus();
    QString nodeLabel(const QString& id, bool mine) const;
    void showViewedResult();
    /// The queue's history: the last picture result of a job, shown when the job is double-clicked.
    void rememberJobResult(int jobId, const Displayable& d);
    void showJobResult(int jobId);
    /// An edit makes the badges of a node and everything downstream stale: back to idle (running ones stay).
    void invalidateFrom(const QString& nodeId);
    /// After an edit, nodes outlined as invalid are checked again: fixed ones lose their mark.
    void recheckInvalid();
    void showDisplayable(const QString& nodeId, const Displayable& d, const QString& caption);
    void showResultFile(const QString& nodeId);

    const sp::NodeRegistry& registry_;
    StudioOptions options_;
    sp::GraphDocument doc_;
    std::unique_ptr<GraphModel> model_;
    std::unique_ptr<GraphEditor> editor_;
    std::unique_ptr<GraphScene> scene_;
    std::unique_ptr<RunQueue> queue_;
    std::unique_ptr<Session> session_;
    std::unique_ptr<JobHistory> history_;

    GraphView* view_ = nullptr;
    Banner* banner_ = nullptr;
    Inspector* inspector_ = nullptr;
    PreviewPane* preview_ = nullptr;
    LogPanel* log_ = nullptr;
    QueuePanel* queuePanel_ = nullptr;
    PromptTrackPanel* promptTrack_ = nullptr;
    QDockWidget* promptTrackDock_ = nullptr;
    NodeList* nodeList_ = nullptr;
    QDockWidget* nodesDock_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QDockWidget* previewDock_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* templateMenu_ = nullptr;
    QLabel* runStatus_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QToolButton* queueButton_ = nullptr;
    QToolButton* outputButton_ = nullptr;
    QTimer* autosaveTimer_ = nullptr;
    Actions actions_;

    QString file_;
    QString outputDir_;
    bool autosaveDirty_ = false;
    bool forceModified_ = false;  // a recovered graph or one restored from a video counts as unsaved
    int generation_ = 0;          // bumped when another document is loaded
    QHash<int, int> jobGeneration_;
    // Statuses before the latest run of this document started (restored when it is refused).
    QHash<QString, NodeStatus> statusBeforeRun_;
    // The node whose live preview or result the pane shows.
    QString previewNode_;
    // The last picture result of each node (IMAGE/VIDEO outputs or displays), for the view flag, and the
    // file each output node wrote.
    QHash<QString, Displayable> results_;
    QHash<QString, QString> resultFiles_;
    QHash<QString, QString> lastInfo_;    // each node's last info line of this document's runs
    QHash<int, Displayable> jobResults_;  // newest jobs only
};

}  // namespace sv::ui
