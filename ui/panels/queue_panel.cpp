#include "panels/queue_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
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

QueuePanel::QueuePanel(RunQueue& queue, QWidget* parent) : QWidget(parent), m_queue(queue) {
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("queueTree"));
    m_tree->setColumnCount(kColumns);
    m_tree->setHeaderLabels({tr("Job"), tr("State"), tr("Node"), tr("Progress"), tr("ETA")});
    m_tree->setRootIsDecorated(false);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->header()->setSectionResizeMode(kName, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(kProgress, QHeaderView::Fixed);
    m_tree->header()->resizeSection(kProgress, 160);
    m_tree->header()->setStretchLastSection(false);

    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("queueCancel"));
    m_cancel->setToolTip(tr("Stop the selected job, or the running one (Escape)"));
    m_requeue = new QPushButton(tr("Re-queue"), this);
    m_clear = new QPushButton(tr("Clear finished"), this);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        const int id = selectedJob();
        if (id) {
            m_queue.cancel(id);
        } else {
            m_queue.cancelCurrent();
        }
    });
    connect(m_requeue, &QPushButton::clicked, this, [this] {
        if (const int id = selectedJob()) m_queue.requeue(id);
    });
    connect(m_clear, &QPushButton::clicked, &m_queue, &RunQueue::clearFinished);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &QueuePanel::updateButtons);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem* item) { emit jobActivated(item->data(0, Qt::UserRole).toInt()); });

    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(4, 2, 4, 2);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_requeue);
    buttons->addStretch(1);
    buttons->addWidget(m_clear);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_tree, 1);
    layout->addLayout(buttons);

    connect(&m_queue, &RunQueue::jobAdded, this, &QueuePanel::addRow);
    connect(&m_queue, &RunQueue::jobChanged, this, &QueuePanel::updateRow);
    connect(&m_queue, &RunQueue::jobRemoved, this, &QueuePanel::removeRow);
    // The ETA of the running job moves with the clock.
    auto* tick = new QTimer(this);
    tick->setInterval(1000);
    connect(tick, &QTimer::timeout, this, [this] {
        if (m_queue.currentJob()) updateRow(m_queue.currentJob());
    });
    tick->start();
    for (const Job& j : m_queue.jobs()) addRow(j.id);
    updateButtons();
}

QTreeWidgetItem* QueuePanel::rowOf(int jobId) const {
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (m_tree->topLevelItem(i)->data(0, Qt::UserRole).toInt() == jobId) return m_tree->topLevelItem(i);
    return nullptr;
}

void QueuePanel::addRow(int jobId) {
    const Job* j = m_queue.job(jobId);
    if (!j || rowOf(jobId)) return;
    // Keep the list in queue order.
    int index = 0;
    for (const Job& other : m_queue.jobs()) {
        if (other.id == jobId) break;
        if (rowOf(other.id)) ++index;
    }
    auto* item = new QTreeWidgetItem;
    item->setData(0, Qt::UserRole, jobId);
    m_tree->insertTopLevelItem(index, item);
    auto* bar = new QProgressBar;
    bar->setRange(0, 1000);
    bar->setTextVisible(true);
    m_tree->setItemWidget(item, kProgress, bar);
    updateRow(jobId);
}

void QueuePanel::updateRow(int jobId) {
    const Job* j = m_queue.job(jobId);
    QTreeWidgetItem* item = rowOf(jobId);
    if (!j || !item) return;
    item->setText(kName, QStringLiteral("#%1  %2").arg(j->id).arg(j->name));
    item->setText(kState, jobStateName(j->state));
    QString node;
    if (j->state == Job::State::Running && !j->currentNode.isEmpty()) {
        node = j->currentNode;
        if (j->steps > 0) node += QStringLiteral("  %1/%2").arg(j->step).arg(j->steps);
        if (!j->plan.isEmpty())
            node += tr("  (node %1 of %2)")
                        .arg(std::min<qsizetype>(j->nodesDone + 1, j->plan.size()))
                        .arg(j->plan.size());
    } else if (j->state == Job::State::Failed || j->state == Job::State::Cancelled) {
        node = j->failedNode.isEmpty() ? j->message : j->failedNode + QStringLiteral(": ") + j->message;
    } else if (j->state == Job::State::Finished && j->startedAt.isValid()) {
        node = tr("took %1").arg(formatDuration(j->startedAt.msecsTo(j->finishedAt) / 1000.0));
    }
    item->setText(kNode, node);
    item->setToolTip(kNode, j->message.isEmpty() ? node : j->message);
    item->setText(kEta, j->state == Job::State::Running ? formatDuration(j->etaSeconds()) : QString());
    const QColor colour = j->state == Job::State::Failed      ? QColor(0xff, 0x6b, 0x66)
                          : j->state == Job::State::Cancelled ? QColor(0xff, 0xc6, 0x6d)
                          : j->state == Job::State::Finished  ? QColor(0x8b, 0xd1, 0x8f)
                                                              : QColor(0xdc, 0xdf, 0xe4);
    item->setForeground(kState, colour);
    if (auto* bar = qobject_cast<QProgressBar*>(m_tree->itemWidget(item, kProgress))) {
        bar->setValue(int(std::lround(j->progress() * 1000)));
        bar->setFormat(QStringLiteral("%1 %").arg(int(j->progress() * 100)));
    }
    updateButtons();
}

void QueuePanel::removeRow(int jobId) {
    delete rowOf(jobId);
    updateButtons();
}

int QueuePanel::selectedJob() const {
    const QList<QTreeWidgetItem*> sel = m_tree->selectedItems();
    return sel.isEmpty() ? 0 : sel.first()->data(0, Qt::UserRole).toInt();
}

void QueuePanel::updateButtons() {
    const Job* sel = m_queue.job(selectedJob());
    m_cancel->setEnabled(sel ? !sel->isDone() : m_queue.isBusy());
    m_requeue->setEnabled(sel && sel->isDone());
    bool anyDone = false;
    for (const Job& j : m_queue.jobs()) anyDone = anyDone || j.isDone();
    m_clear->setEnabled(anyDone);
}

QString QueuePanel::rowText(int jobId) const {
    const QTreeWidgetItem* item = rowOf(jobId);
    const Job* j = m_queue.job(jobId);
    if (!item || !j) return {};
    return QStringLiteral("%1 | %2 | %3 | %4% | %5")
        .arg(item->text(kName), item->text(kState), item->text(kNode))
        .arg(int(j->progress() * 100))
        .arg(item->text(kEta));
}

}  // namespace sv::ui
