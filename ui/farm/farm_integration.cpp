#include "farm/farm_integration.h"

#include <QAction>
#include <QDockWidget>
#include <QMenuBar>

#include "app/main_window.h"
#include "farm/farm_monitor.h"
#include "farm/farm_panel.h"
#include "farm/farm_submit_dialog.h"
#include "panels/log_panel.h"

namespace sv::ui {

FarmIntegration::FarmIntegration(MainWindow& window) : QObject(&window), window_(window) {
    setObjectName(QStringLiteral("farmIntegration"));
    monitor_ = new FarmMonitor(this);
    monitor_->setJobRoot(FarmSubmitSettings::load().jobRoot);
    panel_ = new FarmPanel(*monitor_, &window);
    panel_->setObjectName(QStringLiteral("farmPanel"));
    dock_ = new QDockWidget(tr("Farm"), &window);
    dock_->setObjectName(QStringLiteral("farmDock"));
    dock_->setWidget(panel_);
    dock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
    window.addDockWidget(Qt::BottomDockWidgetArea, dock_);
    if (auto* queue = window.findChild<QDockWidget*>(QStringLiteral("queueDock"))) {
        window.tabifyDockWidget(queue, dock_);
        queue->raise();
    }

    submit_ = new QAction(tr("Submit to &Farm…"), this);
    submit_->setObjectName(QStringLiteral("farmSubmitAction"));
    submit_->setToolTip(tr("Render the current graph as a sweep on the farm (Slurm)"));
    connect(submit_, &QAction::triggered, this, &FarmIntegration::openSubmitDialog);
    QMenu* menu = window.menuBar()->addMenu(tr("F&arm"));
    menu->addAction(submit_);
    menu->addAction(dock_->toggleViewAction());

    connect(panel_, &FarmPanel::submitRequested, this, &FarmIntegration::openSubmitDialog);
    connect(panel_, &FarmPanel::message, this, [this](const QString& text, bool error) {
        if (error)
            window_.logPanel()->error(QStringLiteral("farm"), text);
        else
            window_.logPanel()->info(QStringLiteral("farm"), text);
    });
}

FarmSubmitDialog* FarmIntegration::createSubmitDialog() {
    return new FarmSubmitDialog(window_.document(), window_.registry(), window_.currentFile(), &window_);
}

void FarmIntegration::openSubmitDialog() {
    FarmSubmitDialog* dialog = createSubmitDialog();
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { jobSubmitted(*dialog); });
    dialog->open();
}

void FarmIntegration::jobSubmitted(const FarmSubmitDialog& dialog) {
    if (!dialog.outcome()) return;
    const farm::SubmitOutcome& out = *dialog.outcome();
    for (const std::string& w : out.warnings)
        window_.logPanel()->warning(QStringLiteral("farm"), QString::fromStdString(w));
    window_.logPanel()->info(
        QStringLiteral("farm"),
        tr("Submitted %1: %2 variant(s) in %3 task(s), job %4 (%5)")
            .arg(QString::fromStdString(out.jobId))
            .arg(out.variants)
            .arg(out.tasks)
            .arg(QString::fromStdString(out.submission), QString::fromStdString(out.jobDir.string())));
    monitor_->setJobRoot(dialog.settings().jobRoot);
    monitor_->follow(QString::fromStdString(out.jobDir.string()));
    dock_->raise();
}

}  // namespace sv::ui
