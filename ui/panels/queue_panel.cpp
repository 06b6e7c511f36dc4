#include "panels/queue_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

#include "run/run_queue.h"

namespace sv::ui {

namespace {
enum Column { kName, kState, kNode, kProgress, kEta, kColumns };
}

QString formatDuration(double seconds) {
    if (seconds < 0) return {};
    const qint64 s = qint64(std::llround(seconds));
    if (s >= 3600) return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar(u'0'));
    if (s >= 60) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QObject::tr("%1 s").arg(s);
}

QueuePanel::QueuePanel(RunQueue& queue, QWidget* parent) : QWidget(parent), queue_(queue) {
    tree_ = new QTreeWidget(this);
    tree_->setObjectName(QStringLiteral("queueTree"));
    tree_->setColumnCount(kColumns);
    tree_->setHeaderLabels({tr("Job"), tr("State"), tr("Node"), tr("Progress"), tr("ETA")});
    tree_->setRootIsDecorated(false);
    tree_->setAlternatingRowColors(true);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    tree_->header()->setSectionResizeMode(kName, QHeaderView::Interactive);
    tree_->header()->resizeSection(kName, 220);
    tree_->header()->resizeSection(kState, 90);
    tree_->header()->setSectionResizeMode(kNode, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(kProgress, QHeaderView::Fixed);
    tree_->header()->resizeSection(kProgress, 140);
    tree_->header()->setSectionResizeMode(kEta, QHeaderView::Fixed);
    tree_->header()->resizeSection(kEta, 90);
    tree_->header()->setStretchLastSection(false);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(tree_, &QTreeWidget::customContextMenuRequested, this, &QueuePanel::showContextMenu);

    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName(QStringLiteral("queueCancel"));
    cancel_->setToolTip(tr("Stop the selected job, or the running one (Escape here, Ctrl+. anywhere)"));
    requeue_ = new QPushButton(tr("Re-queue"), this);
    clear_ = new QPushButton(tr("Clear finished"), this);

    connect(cancel_, &QPushButton::clicked, this, [this] {
        const int id = selectedJob();
        if (id) {
            queue_.cancel(id);
        } else {
            queue_.cancelCurrent();
        }
    });
    connect(requeue_, &QPushButton::clicked, this, [this] {
        if (const int id = selectedJob()) queue_.requeue(id);
    });
    connect(clear_, &QPushButton::clicked, &queue_, &RunQueue::clearFinished);
    connect(tree_, &QTreeWidget::itemSelectionChanged, this, &QueuePanel::updateButtons);
    connect(tree_, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem* item) { emit jobActivated(item->data(0, Qt::UserRole).toInt()); });

    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(4, 2, 4, 2);
    buttons->addWidget(cancel_);
    buttons->addWidget(requeue_);
    buttons->addStretch(1);
    buttons->addWidget(clear_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(tree_, 1);
    layout->addLayout(buttons);

    connect(&queue_, &RunQueue::jobAdded, this, &QueuePanel::addRow);
    connect(&queue_, &RunQueue::jobChanged, this, &QueuePanel::updateRow);
    connect(&queue_, &RunQueue::jobRemoved, this, &QueuePanel::removeRow);
    // The ETA of the running job moves with the clock.
    auto* tick = new QTimer(this);
    tick->setInterval(1000);
    connect(tick, &QTimer::timeout, this, [this] {
        if (queue_.currentJob()) updateRow(queue_.currentJob());
    });
    tick->start();
    for (const Job& j : queue_.jobs()) addRow(j.id);
    updateButtons();
}

QTreeWidgetItem* QueuePanel::rowOf(int jobId) const {
    for (int i = 0; i < tree_->topLevelItemCount(); ++i)
        if (tree_->topLevelItem(i)->data(0, Qt::UserRole).toInt() == jobId) return tree_->topLevelItem(i);
    return nullptr;
}

void QueuePanel::addRow(int jobId) {
    const Job* j = queue_.job(jobId);
    if (!j || rowOf(jobId)) return;
    // Keep the list in queue order.
    int index = 0;
    for (const Job& other : queue_.jobs()) {
        if (other.id == jobId) break;
        if (rowOf(other.id)) ++index;
    }
    auto* item = new QTreeWidgetItem;
    item->setData(0, Qt::UserRole, jobId);
    tree_->insertTopLevelItem(index, item);
    auto* bar = new QProgressBar;
    bar->setRange(0, 1000);
    bar->setTextVisible(true);
    bar->setMaximumHeight(16);
    tree_->setItemWidget(item, kProgress, bar);
    updateRow(jobId);
}

void QueuePanel::updateRow(int jobId) {
    const Job* j = queue_.job(jobId);
    QTreeWidgetItem* item = rowOf(jobId);
    if (!j || !item) return;
    item->setText(kName, QStringLiteral("#%1  %2").arg(j->id).arg(j->name));
    item->setText(kState, jobStateName(j->state));
    QString node;
    if (j->state == Job::State::Running && !j->currentNode.isEmpty()) {
        node = j->currentNode;
        if (j->nodeProgress.total > 0)
            node += QStringLiteral("  %1/%2").arg(j->nodeProgress.step).arg(j->nodeProgress.total);
        if (!j->plan.isEmpty())
            node += tr("  (node %1 of %2)")
                        .arg(std::min<qsizetype>(j->nodesDone + 1, j->plan.size()))
                        .arg(j->plan.size());
    } else if (j->state == Job::State::Failed || j->state == Job::State::Cancelled) {
        node = j->failedNode.isEmpty() ? j->message : j->failedNode + QStringLiteral(": ") + j->message;
    } else if (j->state == Job::State::Finished && j->startedAt.isValid()) {
        node = tr("took %1").arg(formatDuration(j->startedAt.msecsTo(j->finishedAt) / 1000.0));
        if (!j->outputFiles.isEmpty())
            node += QStringLiteral(" · ") + QFileInfo(j->outputFiles.first()).fileName();
    }
    item->setText(kNode, node);
    item->setToolTip(kNode, j->message.isEmpty() ? node : j->message);
    QString eta;
    if (j->state == Job::State::Running) {
        const double left = queue_.etaSeconds(jobId);
        eta = left >= 0 ? formatDuration(left) : QStringLiteral("…");
    }
    item->setText(kEta, eta);
    const QColor colour = j->state == Job::State::Failed      ? QColor(0xff, 0x6b, 0x66)
                          : j->state == Job::State::Cancelled ? QColor(0xff, 0xc6, 0x6d)
                          : j->state == Job::State::Finished  ? QColor(0x8b, 0xd1, 0x8f)
                                                              : QColor(0xdc, 0xdf, 0xe4);
    item->setForeground(kState, colour);
    if (auto* bar = qobject_cast<QProgressBar*>(tree_->itemWidget(item, kProgress))) {
        const double p = queue_.progress(jobId);
        bar->setValue(int(std::lround(p * 1000)));
        bar->setFormat(QStringLiteral("%1 %").arg(int(p * 100)));
    }
    // The running job stays in sight.
    if (j->state == Job::State::Running) tree_->scrollToItem(item);
    updateButtons();
}

void QueuePanel::removeRow(int jobId) {
    delete rowOf(jobId);
    updateButtons();
}

int QueuePanel::selectedJob() const {
    const QList<QTreeWidgetItem*> sel = tree_->selectedItems();
    return sel.isEmpty() ? 0 : sel.first()->data(0, Qt::UserRole).toInt();
}

void QueuePanel::updateButtons() {
    const Job* sel = queue_.job(selectedJob());
    cancel_->setEnabled(sel ? !sel->isDone() : queue_.isBusy());
    requeue_->setEnabled(sel && sel->isDone());
    bool anyDone = false;
    for (const Job& j : queue_.jobs()) anyDone = anyDone || j.isDone();
    clear_->setEnabled(anyDone);
}

QString QueuePanel::rowText(int jobId) const {
    const QTreeWidgetItem* item = rowOf(jobId);
    const Job* j = queue_.job(jobId);
    if (!item || !j) return {};
    return QStringLiteral("%1 | %2 | %3 | %4% | %5")
        .arg(item->text(kName), item->text(kState), item->text(kNode))
        .arg(int(queue_.progress(jobId) * 100))
        .arg(item->text(kEta));
}

}  // namespace sv::ui

namespace sv::ui {

void QueuePanel::showContextMenu(const QPoint& pos) {
    QTreeWidgetItem* item = tree_->itemAt(pos);
    if (!item) return;
    const int id = item->data(0, Qt::UserRole).toInt();
    const Job* j = queue_.job(id);
    if (!j) return;
    QMenu menu(this);
    menu.addAction(tr("Show Result"), this, [this, id] { emit jobActivated(id); });
    menu.addAction(tr("Open Graph"), this, [this, id] { emit openGraphRequested(id); });
    menu.addAction(tr("Re-queue"), this, [this, id] { queue_.requeue(id); })->setEnabled(j->isDone());
    menu.addSeparator();
    const QString file = j->outputFiles.value(0);
    menu.addAction(tr("Reveal Output"), this, [this, file] { emit revealRequested(file); })
        ->setEnabled(!file.isEmpty());
    menu.addAction(tr("Copy Output Path"), this, [file] { QApplication::clipboard()->setText(file); })
        ->setEnabled(!file.isEmpty());
    menu.exec(tree_->viewport()->mapToGlobal(pos));
}

}  // namespace sv::ui
