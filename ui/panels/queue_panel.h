// The queue panel: every job of the RunQueue with its state, overall progress bar, the running node with its
// step and the whole job's ETA; it scrolls to the running job. Buttons cancel the selected (or running) job,
// re-queue a finished one and clear the history; a finished job's context menu shows its result, opens its
// graph, reveals or copies the file it wrote.
#pragma once

#include <QWidget>

class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace sv::ui {

class RunQueue;

/// "1 h 02 min", "3 min 20 s", "12 s", "" for negative values.
QString formatDuration(double seconds);

class QueuePanel : public QWidget {
    Q_OBJECT
  public:
    explicit QueuePanel(RunQueue& queue, QWidget* parent = nullptr);

    /// The row text of a job (for tests): "name | state | node | progress% | eta".
    QString rowText(int jobId) const;
    QTreeWidget* tree() const { return tree_; }
    /// The job highlighted in the list (0 when none).
    int selectedJob() const;

  signals:
    /// The user double-clicked a job (the window may show its outputs).
    void jobActivated(int jobId);
    /// "Open Graph" on a job: open the graph it ran.
    void openGraphRequested(int jobId);
    /// "Reveal" on a job: show the file it wrote in the file manager.
    void revealRequested(const QString& path);

  private:
    void addRow(int jobId);
    void updateRow(int jobId);
    void removeRow(int jobId);
    QTreeWidgetItem* rowOf(int jobId) const;
    void updateButtons();
    void showContextMenu(const QPoint& pos);

    RunQueue& queue_;
    QTreeWidget* tree_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* requeue_ = nullptr;
    QPushButton* clear_ = nullptr;
};

}  // namespace sv::ui
