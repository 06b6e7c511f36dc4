// The Prompt Track panel: the prompts over time of the selected long-video node (prompt_track.h), as rows
// "from chunk N: prompt" over a strip of the video's chunks, and the way to change them while it renders.
//
// Where the track lives and how a running node hears of a change:
// * The track is the node's prompt_track parameter, so the graph document stays the only graph state: every
//   add / edit / remove is one undoable parameter edit through the GraphEditor, saved with the graph. While
//   the track is empty the rows shown are those the node makes of its prompt's "<split>" parts; the first
//   change stores them in the track.
// * A run reads a snapshot of the graph, so a change during a run reaches the node through its prompt file,
//   which it re-reads before every chunk. The editor gives every run of a node without a prompt_file its own
//   file in the output folder (attachPromptFiles, at queue time: the track as it was queued), and this panel
//   rewrites that file atomically whenever the document's track changes during the run (a panel edit, undo,
//   the inspector). The file keeps the rows of the chunks already started as the node used them: a chunk
//   that is done or rendering cannot change, so the rows covering only such chunks are read-only while it
//   runs, and a change reaches the chunks after the one rendering. The file stays beside the video as the
//   record of the prompts it was rendered with. A failed write keeps the edit in the graph and shows the
//   error with a Retry.
// * A node with its own prompt_file reads the prompts from that file: the panel shows them and offers to
//   move them into the track (clearing prompt_file) instead of writing over the user's file.
#pragma once

#include <QHash>
#include <QSet>
#include <QWidget>

#include "panels/prompt_track.h"
#include "plugin/exec/events.h"

class QLabel;
class QPushButton;
class QTreeWidget;

namespace sv::plugin {
class GraphDocument;
class NodeRegistry;
}  // namespace sv::plugin

namespace sv::ui {

class ChunkStrip;
class GraphEditor;
class RunQueue;

/// The rows a node uses: its prompt_track, else its prompt's "<split>" parts over its chunks (params read
/// from `doc` with the descriptor's defaults).
PromptRows effectiveRows(const sv::plugin::GraphDocument& doc, const sv::plugin::NodeRegistry& registry,
                         const QString& nodeId);

class PromptTrackPanel : public QWidget {
    Q_OBJECT
  public:
    enum class ChunkState { Done, Rendering, ToCome };

    PromptTrackPanel(GraphEditor& editor, RunQueue& queue, QWidget* parent = nullptr);

    /// Follows node `id` (a node without a prompt track, or "", shows a hint).
    void setNode(const QString& id);
    const QString& nodeId() const { return node_; }
    /// Executor events of the queue (`mine`: the job ran the document open now).
    void onExecutionEvent(int jobId, const sv::plugin::ExecutionEvent& e, bool mine);
    /// At queue time: gives every long-video node of a run's snapshot that has no prompt_file its own file
    /// under `outputDir`/prompt_tracks, holding the rows it will use, and points prompt_file at it; the
    /// panel writes changes made during that run into it. `tag` makes the names unique. Returns the
    /// problems (such a node then runs without one: its track is fixed for the run).
    QStringList attachPromptFiles(sv::plugin::GraphDocument& run, const QString& outputDir,
                                  const QString& tag);

    // ---- what the panel shows (for tests and the screenshots)
    PromptRows rows() const;
    bool rowsFromSplit() const;  ///< the rows come from the prompt's <split> parts (the track is empty)
    qint64 chunkCount() const;   ///< the node's count while it runs, else from its params
    bool isRendering() const;    ///< the followed node is rendering in a job of this document
    qint64 doneChunks() const;   ///< while rendering
    ChunkState chunkState(qint64 chunk) const;
    /// The first chunk a change can still reach (0 when idle).
    qint64 firstEditableChunk() const;
    QString liveFile() const;  ///< the prompt file the running node reads ("" when idle)
    QString errorText() const;
    QTreeWidget* tree() const { return tree_; }

    // ---- the panel's actions (the buttons and the dialog call these); false with errorText() when refused,
    // or when the running node's prompt file could not be written (the edit then stays in the graph)
    bool addRow(const PromptRow& row);
    /// Replaces the row at `chunk` with `row` (which may start at another chunk).
    bool editRow(qint64 chunk, const PromptRow& row);
    bool removeRow(qint64 chunk);
    /// Writes the running node's prompt file again (after a failed write).
    bool retryWrite();
    /// Moves the rows of the node's own prompt_file into the track and clears prompt_file (one undo step).
    bool useTrackInsteadOfFile();

  private:
    struct LiveRun {
        int job = 0;
        QString file;
        PromptRows fileRows;  // what the file holds (as last written or read)
        bool ours = false;    // given by attachPromptFiles (else the user's own file: never written)
        qint64 done = 0, total = 0;
    };
    void buildUi();
    void refresh();
    void fillTree(const PromptRows& rows);
    void updateButtons();
    bool setTrack(const PromptRows& rows, const QString& what);
    bool refuse(const QString& why);
    bool syncLiveFile(const QString& nodeId);
    void startLive(int jobId, const QString& nodeId);
    qint64 selectedChunk() const;
    void askAndAdd();
    void askAndEdit();
    const LiveRun* live() const;
    QString userPromptFile() const;

    GraphEditor& editor_;
    RunQueue& queue_;
    QString node_;
    QHash<QString, LiveRun> live_;  // node id → its run, while a job of this document renders it
    QSet<QString> ownFiles_;        // the prompt files attachPromptFiles gave runs
    QString error_;

    QLabel* title_ = nullptr;
    QLabel* status_ = nullptr;
    ChunkStrip* strip_ = nullptr;
    QTreeWidget* tree_ = nullptr;
    QLabel* note_ = nullptr;
    QPushButton* useTrack_ = nullptr;
    QPushButton* add_ = nullptr;
    QPushButton* edit_ = nullptr;
    QPushButton* remove_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QPushButton* retry_ = nullptr;
};

}  // namespace sv::ui
