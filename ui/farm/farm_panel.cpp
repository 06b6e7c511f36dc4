#include "farm/farm_panel.h"

#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>

#include "farm/farm_monitor.h"
#include "plugin/farm/job_status.h"

namespace sv::ui {

namespace {

enum Column { kName, kState, kProgress, kDetail, kColumns };
enum Role { kJobId = Qt::UserRole, kKind, kTask, kJobDir, kVariant, kClip };

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QColor stateColour(farm::TaskPhase p) {
    switch (p) {
        case farm::TaskPhase::Finished:
            return {0x8b, 0xd1, 0x8f};
        case farm::TaskPhase::Failed:
        case farm::TaskPhase::Killed:
            return {0xff, 0x6b, 0x66};
        case farm::TaskPhase::Cancelled:
        case farm::TaskPhase::Unknown:
            return {0xff, 0xc6, 0x6d};
        default:
            return {0xdc, 0xdf, 0xe4};
    }
}

/// A task's progress in [0, 1]: done variants plus the running node's share of the current one.
double taskProgress(const farm::TaskStatus& t) {
    if (t.variants <= 0) return 0.0;
    double current = 0.0;
    if (t.phase == farm::TaskPhase::Running && t.total > 0) current = double(t.step) / double(t.total);
    return std::min(1.0, (t.done + t.failed + current) / t.variants);
}

QString taskDetail(const farm::TaskStatus& t) {
    QStringList parts;
    if (t.phase == farm::TaskPhase::Running && !t.current.empty()) {
        QString at = qs(t.current);
        if (!t.node.empty()) at += QLatin1Char(' ') + qs(t.node);
        if (t.total > 0) at += QStringLiteral(" %1/%2").arg(t.step).arg(t.total);
        parts << at;
    }
    if (!t.host.empty()) parts << QObject::tr("on %1").arg(qs(t.host));
    if (!t.detail.empty()) parts << qs(t.detail);
    return parts.join(QStringLiteral(" — "));
}

QTreeWidgetItem* childWith(QTreeWidgetItem* parent, int role, const QVariant& value) {
    for (int i = 0; i < parent->childCount(); ++i)
        if (parent->child(i)->data(0, role) == value) return parent->child(i);
    return nullptr;
}

}  // namespace

FarmPanel::FarmPanel(FarmMonitor& monitor, QWidget* parent) : QWidget(parent), monitor_(monitor) {
    tree_ = new QTreeWidget(this);
    tree_->setObjectName(QStringLiteral("farmTree"));
    tree_->setColumnCount(kColumns);
    tree_->setHeaderLabels({tr("Farm job / task / variant"), tr("State"), tr("Progress"), tr("Detail")});
    tree_->setAlternatingRowColors(true);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    tree_->header()->setSectionResizeMode(kDetail, QHeaderView::Stretch);
    tree_->header()->resizeSection(kName, 260);
    tree_->header()->resizeSection(kProgress, 140);
    tree_->header()->setStretchLastSection(true);

    submit_ = new QPushButton(tr("Submit…"), this);
    submit_->setToolTip(tr("Submit the current graph to the farm as a sweep"));
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Stop the selected job's pending and running tasks, or the selected task"));
    resubmit_ = new QPushButton(tr("Re-submit failed"), this);
    resubmit_->setToolTip(
        tr("Run again the tasks that failed, were cancelled or killed (finished variants are "
           "skipped); the selected task only when a task is selected"));
    refresh_ = new QPushButton(tr("Refresh"), this);
    opener_ = [](const QString& path) { QDesktopServices::openUrl(QUrl::fromLocalFile(path)); };

    connect(submit_, &QPushButton::clicked, this, &FarmPanel::submitRequested);
    connect(refresh_, &QPushButton::clicked, &monitor_, &FarmMonitor::refresh);
    connect(cancel_, &QPushButton::clicked, this, [this] {
        QString dir;
        int task = -1;
        if (!selection(dir, task)) return;
        const QString error = monitor_.cancel(dir, task);
        if (!error.isEmpty()) emit message(error, true);
    });
    connect(resubmit_, &QPushButton::clicked, this, [this] {
        QString dir;
        int task = -1;
        if (!selection(dir, task)) return;
        const QString text = monitor_.resubmit(dir, task);
        const bool error = text.startsWith(QStringLiteral("error: "));
        emit message(text.isEmpty() ? tr("No task needs to run again") : error ? text.mid(7) : text, error);
    });
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) { activate(item); });
    connect(tree_, &QTreeWidget::itemSelectionChanged, this, &FarmPanel::updateButtons);
    connect(&monitor_, &FarmMonitor::updated, this, &FarmPanel::rebuild);

    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(4, 2, 4, 2);
    buttons->addWidget(submit_);
    buttons->addWidget(cancel_);
    buttons->addWidget(resubmit_);
    buttons->addStretch(1);
    buttons->addWidget(refresh_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(tree_, 1);
    layout->addLayout(buttons);
    rebuild();
}

QTreeWidgetItem* FarmPanel::item(const QString& jobId, int task, const QString& variant) const {
    QTreeWidgetItem* job = nullptr;
    for (int i = 0; i < tree_->topLevelItemCount() && !job; ++i)
        if (tree_->topLevelItem(i)->data(0, kJobId).toString() == jobId) job = tree_->topLevelItem(i);
    if (!job || task < 0) return job;
    QTreeWidgetItem* t = childWith(job, kTask, task);
    if (!t || variant.isEmpty()) return t;
    return childWith(t, kVariant, variant);
}

QString FarmPanel::rowText(const QTreeWidgetItem* item) const {
    if (!item) return {};
    return QStringLiteral("%1 | %2 | %3 | %4")
        .arg(item->text(kName), item->text(kState), item->text(kProgress), item->text(kDetail));
}

void FarmPanel::rebuild() {
    const auto& jobs = monitor_.jobs();
    for (int i = tree_->topLevelItemCount() - 1; i >= 0; --i) {  // jobs no longer followed
        if (!monitor_.job(tree_->topLevelItem(i)->data(0, kJobId).toString()))
            delete tree_->takeTopLevelItem(i);
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
        QTreeWidgetItem* top = item(qs(jobs[i].id));
        if (!top) {
            top = new QTreeWidgetItem;
            top->setData(0, kJobId, qs(jobs[i].id));
            top->setData(0, kKind, int(Row::Job));
            top->setData(0, kJobDir, qs(jobs[i].dir.string()));
            tree_->insertTopLevelItem(int(std::min<size_t>(i, size_t(tree_->topLevelItemCount()))), top);
            top->setExpanded(true);
        }
        updateJob(top, jobs[i]);
    }
    updateButtons();
}

void FarmPanel::updateJob(QTreeWidgetItem* top, const farm::JobStatus& job) {
    const int done = job.count(farm::VariantStatus::State::Done);
    top->setText(kName, qs(job.id));
    top->setText(kState, job.isOver() ? tr("over") : tr("active"));
    top->setText(kProgress, tr("%1/%2 done").arg(done).arg(job.variants.size()));
    top->setText(kDetail,
                 qs(job.summary()) +
                     (job.managerError.empty() ? QString() : QStringLiteral(" — ") + qs(job.managerError)));
    for (const farm::TaskStatus& t : job.tasks) {
        QTreeWidgetItem* row = childWith(top, kTask, t.task);
        if (!row) {
            row = new QTreeWidgetItem(top);
            row->setData(0, kJobId, qs(job.id));
            row->setData(0, kKind, int(Row::Task));
            row->setData(0, kTask, t.task);
            row->setData(0, kJobDir, qs(job.dir.string()));
            auto* bar = new QProgressBar;
            bar->setRange(0, 1000);
            tree_->setItemWidget(row, kProgress, bar);
        }
        row->setText(kName, tr("task %1").arg(t.task));
        row->setText(kState, qs(std::string(farm::taskPhaseName(t.phase))));
        row->setForeground(kState, stateColour(t.phase));
        row->setText(kProgress, tr("%1/%2").arg(t.done).arg(t.variants));
        row->setText(kDetail, taskDetail(t));
        row->setToolTip(kDetail, row->text(kDetail));
        if (auto* bar = qobject_cast<QProgressBar*>(tree_->itemWidget(row, kProgress))) {
            bar->setValue(int(std::lround(taskProgress(t) * 1000)));
            bar->setFormat(tr("%1/%2 variants").arg(t.done).arg(t.variants));
        }
        QString clip;
        for (const farm::VariantStatus& v : job.variants) {
            if (v.task != t.task) continue;
            QTreeWidgetItem* vr = childWith(row, kVariant, qs(v.name));
            if (!vr) {
                vr = new QTreeWidgetItem(row);
                vr->setData(0, kJobId, qs(job.id));
                vr->setData(0, kKind, int(Row::Variant));
                vr->setData(0, kTask, t.task);
                vr->setData(0, kVariant, qs(v.name));
            }
            const QString out = v.outputs.empty() ? QString() : qs(v.outputs.front().string());
            if (clip.isEmpty()) clip = out;
            vr->setText(kName, qs(v.name));
            vr->setText(kState, qs(std::string(farm::variantStatusName(v.state))));
            vr->setText(kDetail, out.isEmpty() ? qs(v.message) : out);
            vr->setToolTip(kDetail, vr->text(kDetail));
            vr->setData(0, kClip, out);
        }
        row->setData(0, kClip, clip);
    }
}

QString FarmPanel::activate(QTreeWidgetItem* item) {
    if (!item) return {};
    const QString clip = item->data(0, kClip).toString();
    if (!clip.isEmpty() && opener_) opener_(clip);
    return clip;
}

bool FarmPanel::selection(QString& jobDir, int& task) const {
    const QList<QTreeWidgetItem*> sel = tree_->selectedItems();
    if (sel.isEmpty()) return false;
    QTreeWidgetItem* it = sel.first();
    if (Row(it->data(0, kKind).toInt()) == Row::Variant) it = it->parent();
    task = Row(it->data(0, kKind).toInt()) == Row::Task ? it->data(0, kTask).toInt() : -1;
    jobDir = it->data(0, kJobDir).toString();
    return !jobDir.isEmpty();
}

void FarmPanel::updateButtons() {
    QString dir;
    int task = -1;
    const bool any = selection(dir, task);
    cancel_->setEnabled(any);
    resubmit_->setEnabled(any);
}

}  // namespace sv::ui
