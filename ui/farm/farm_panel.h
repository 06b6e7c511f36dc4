// The farm part of the queue: every followed farm job, its tasks (state, progress bar, running variant and
// step, host, why it failed) and their variants (state, output clip, error). Double-clicking a finished task
// or variant opens its clip; buttons cancel the selected job or task and re-submit what failed.
#pragma once

#include <QWidget>

#include <functional>

class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace sv::farm {
struct JobStatus;
}

namespace sv::ui {

class FarmMonitor;

class FarmPanel : public QWidget {
    Q_OBJECT
  public:
    enum class Row : int { Job, Task, Variant };

    explicit FarmPanel(FarmMonitor& monitor, QWidget* parent = nullptr);

    QTreeWidget* tree() const { return tree_; }
    QPushButton* submitButton() const { return submit_; }
    /// The row of a job, of one of its tasks (task >= 0), or of a variant (non-empty name); nullptr if none.
    QTreeWidgetItem* item(const QString& jobId, int task = -1, const QString& variant = {}) const;
    /// "task 1 | running | 1/2 | 002_seed-2 sampler 3/4" (for tests and tooltips).
    QString rowText(const QTreeWidgetItem* item) const;
    /// What a double-click does: a done variant, or a task with a done variant, opens its (first) clip.
    /// Returns the clip ("" when the row has none).
    QString activate(QTreeWidgetItem* item);
    /// How clips are opened (default: the desktop's video player).
    void setClipOpener(std::function<void(const QString&)> opener) { opener_ = std::move(opener); }

  signals:
    /// "Submit…" was pressed.
    void submitRequested();
    /// A message for the log (re-submission, errors of cancel / re-submit).
    void message(const QString& text, bool error);

  private:
    void rebuild();
    void updateJob(QTreeWidgetItem* item, const farm::JobStatus& job);
    void updateButtons();
    /// The selected row's job folder and task (-1: the whole job).
    bool selection(QString& jobDir, int& task) const;

    FarmMonitor& monitor_;
    QTreeWidget* tree_ = nullptr;
    QPushButton* submit_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* resubmit_ = nullptr;
    QPushButton* refresh_ = nullptr;
    std::function<void(const QString&)> opener_;
};

}  // namespace sv::ui
