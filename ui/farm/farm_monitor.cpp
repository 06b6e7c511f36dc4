#include "farm/farm_monitor.h"

#include <QTimer>

#include <algorithm>
#include <map>
#include <memory>

#include "base/error.h"
#include "plugin/farm/farm_jobs.h"

namespace sv::ui {

namespace {

/// The state of each job folder; a folder that cannot be read is skipped (it may be half written).
std::vector<farm::JobStatus> readJobs(const std::vector<std::filesystem::path>& dirs) {
    std::map<std::string, std::unique_ptr<farm::FarmManager>> managers;  // one per name, for this refresh
    std::vector<farm::JobStatus> out;
    for (const auto& dir : dirs) {
        try {
            const farm::JobFolder job = farm::JobFolder::open(dir);
            const bool seen = std::any_of(out.begin(), out.end(),
                                          [&](const farm::JobStatus& s) { return s.id == job.id(); });
            if (seen) continue;  // followed and listed under the root
            auto& m = managers[job.farm().manager];
            if (!m) m = farm::makeFarmManager(job.farm().manager);
            out.push_back(farm::jobStatus(job, m.get()));
        } catch (const Error&) {
            continue;
        }
    }
    return out;
}

}  // namespace

FarmMonitor::FarmMonitor(QObject* parent) : QObject(parent) {
    timer_ = new QTimer(this);
    timer_->setInterval(3000);
    connect(timer_, &QTimer::timeout, this, &FarmMonitor::refresh);
    timer_->start();
}

FarmMonitor::~FarmMonitor() {
    joinWorker();
}

void FarmMonitor::joinWorker() {
    if (worker_.joinable()) worker_.join();
}

void FarmMonitor::setJobRoot(const QString& root, int maxListed) {
    root_ = root;
    maxListed_ = maxListed;
    refresh();
}

void FarmMonitor::follow(const QString& jobDir) {
    if (!followed_.contains(jobDir)) followed_.prepend(jobDir);
    refresh();
}

void FarmMonitor::setInterval(int ms) {
    if (ms <= 0) {
        timer_->stop();
        return;
    }
    timer_->setInterval(ms);
    timer_->start();
}

void FarmMonitor::refresh() {
    if (busy_.exchange(true)) return;
    joinWorker();  // the previous refresh has ended (busy_ was false)
    std::vector<std::filesystem::path> followed;
    for (const QString& d : followed_) followed.emplace_back(d.toStdString());
    worker_ = std::jthread(
        [this, dirs = std::move(followed), root = root_.toStdString(), max = maxListed_]() mutable {
            if (!root.empty()) {  // listing a shared folder may be slow too: off the GUI thread
                const auto listed = farm::listJobFolders(root);
                for (size_t i = 0; i < listed.size() && int(i) < max; ++i) dirs.push_back(listed[i]);
            }
            std::vector<farm::JobStatus> result = readJobs(dirs);
            // Queued onto the GUI thread; dropped by Qt if the monitor is gone (the destructor joins first).
            QMetaObject::invokeMethod(
                this,
                [this, result = std::move(result)]() mutable {
                    jobs_ = std::move(result);
                    busy_ = false;
                    emit updated();
                },
                Qt::QueuedConnection);
        });
}

const farm::JobStatus* FarmMonitor::job(const QString& id) const {
    for (const farm::JobStatus& j : jobs_)
        if (QString::fromStdString(j.id) == id) return &j;
    return nullptr;
}

QString FarmMonitor::cancel(const QString& jobDir, int task) {
    QString error;
    try {
        const farm::JobFolder job = farm::JobFolder::open(jobDir.toStdString());
        const auto manager = farm::makeFarmManager(job.farm().manager);
        farm::cancelJob(job, *manager, task >= 0 ? std::optional<int>(task) : std::nullopt);
    } catch (const Error& e) {
        error = QString::fromStdString(e.what());
    }
    refresh();
    return error;
}

QString FarmMonitor::resubmit(const QString& jobDir, int task) {
    QString message;
    try {
        farm::JobFolder job = farm::JobFolder::open(jobDir.toStdString());
        const auto manager = farm::makeFarmManager(job.farm().manager);
        const auto sub =
            farm::resubmitFailed(job, *manager, task >= 0 ? std::optional<int>(task) : std::nullopt);
        if (sub)
            message = tr("%1: re-submitted %n task(s) as job %2", nullptr, int(sub->tasks.size()))
                          .arg(QString::fromStdString(job.id()), QString::fromStdString(sub->id));
    } catch (const Error& e) {
        message = QStringLiteral("error: ") + QString::fromStdString(e.what());
    }
    refresh();
    return message;
}

}  // namespace sv::ui
