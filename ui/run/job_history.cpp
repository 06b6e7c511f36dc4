#include "run/job_history.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#include "base/error.h"

namespace sv::ui {

namespace {

const QString kFormat = QStringLiteral("sanavideo.job-history");

QString stateKey(Job::State s) {
    switch (s) {
        case Job::State::Finished:
            return QStringLiteral("finished");
        case Job::State::Failed:
            return QStringLiteral("failed");
        case Job::State::Cancelled:
            return QStringLiteral("cancelled");
        default:
            return {};
    }
}

std::optional<Job::State> stateFromKey(const QString& key) {
    for (const Job::State s : {Job::State::Finished, Job::State::Failed, Job::State::Cancelled})
        if (stateKey(s) == key) return s;
    return std::nullopt;
}

QJsonObject toJson(const Job& j) {
    QJsonObject o;
    o[QStringLiteral("name")] = j.name;
    o[QStringLiteral("state")] = stateKey(j.state);
    o[QStringLiteral("message")] = j.message;
    o[QStringLiteral("failedNode")] = j.failedNode;
    o[QStringLiteral("queuedAt")] = j.queuedAt.toString(Qt::ISODateWithMs);
    o[QStringLiteral("startedAt")] = j.startedAt.toString(Qt::ISODateWithMs);
    o[QStringLiteral("finishedAt")] = j.finishedAt.toString(Qt::ISODateWithMs);
    o[QStringLiteral("outputFiles")] = QJsonArray::fromStringList(j.outputFiles);
    o[QStringLiteral("outputDir")] = QString::fromStdString(j.request.outputDir.string());
    o[QStringLiteral("graph")] = QString::fromStdString(j.doc->toText(0));
    return o;
}

std::optional<Job> fromJson(const QJsonObject& o) {
    const auto state = stateFromKey(o.value(QStringLiteral("state")).toString());
    if (!state) return std::nullopt;
    Job j;
    try {
        const QByteArray graph = o.value(QStringLiteral("graph")).toString().toUtf8();
        j.doc = std::make_shared<const sp::GraphDocument>(
            sp::GraphDocument::parse(std::string_view(graph.constData(), size_t(graph.size())), "history"));
    } catch (const sv::Error&) {
        return std::nullopt;
    }
    j.state = *state;
    j.name = o.value(QStringLiteral("name")).toString();
    j.message = o.value(QStringLiteral("message")).toString();
    j.failedNode = o.value(QStringLiteral("failedNode")).toString();
    j.queuedAt = QDateTime::fromString(o.value(QStringLiteral("queuedAt")).toString(), Qt::ISODateWithMs);
    j.startedAt = QDateTime::fromString(o.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
    j.finishedAt = QDateTime::fromString(o.value(QStringLiteral("finishedAt")).toString(), Qt::ISODateWithMs);
    for (const QJsonValue& f : o.value(QStringLiteral("outputFiles")).toArray())
        j.outputFiles << f.toString();
    j.request.outputDir = o.value(QStringLiteral("outputDir")).toString().toStdString();
    return j;
}

}  // namespace

JobHistory::JobHistory(QString path)
    : path_(path.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                                 QStringLiteral("/history.json")
                           : std::move(path)) {}

QList<Job> JobHistory::load() const {
    QFile f(path_);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    if (root.value(QStringLiteral("format")).toString() != kFormat) return {};
    QList<Job> jobs;
    for (const QJsonValue& v : root.value(QStringLiteral("jobs")).toArray())
        if (auto j = fromJson(v.toObject())) jobs.append(std::move(*j));
    return jobs;
}

bool JobHistory::save(const QList<Job>& jobs) const {
    QJsonArray list;
    for (const Job& j : jobs)
        if (j.isDone() && j.doc) list.append(toJson(j));
    while (list.size() > kMaxJobs) list.removeFirst();
    QJsonObject root;
    root[QStringLiteral("format")] = kFormat;
    root[QStringLiteral("version")] = 1;
    root[QStringLiteral("jobs")] = list;
    QDir().mkpath(QFileInfo(path_).absolutePath());
    QSaveFile f(path_);
    if (!f.open(QIODevice::WriteOnly)) return false;
    f.write(QJsonDocument(root).toJson(QJsonDocument::Compact));
    return f.commit();
}

}  // namespace sv::ui
