#include "app/session.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>

namespace sv::ui {

namespace {

bool processAlive(qint64 pid) {
    if (pid <= 0) return false;
#ifdef Q_OS_LINUX
    return QFileInfo::exists(QStringLiteral("/proc/%1").arg(pid));
#else
    return pid == QCoreApplication::applicationPid();  // conservative elsewhere: only our own process
#endif
}

QString metaPath(const QString& autosave) {
    return autosave + QStringLiteral(".meta");
}

}  // namespace

QString Session::defaultDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/autosave");
}

Session::Session(const QString& dir) : dir_(dir.isEmpty() ? defaultDir() : dir) {
    QDir().mkpath(dir_);
    const QString stem = QStringLiteral("session-%1-%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
    lock_ = dir_ + u'/' + stem + QStringLiteral(".lock");
    autosave_ = dir_ + u'/' + stem + QStringLiteral(".json");
    QFile lock(lock_);
    if (lock.open(QIODevice::WriteOnly)) lock.write(QByteArray::number(QCoreApplication::applicationPid()));
}

Session::~Session() {
    discardAutosave();
    QFile::remove(lock_);
}

bool Session::write(const QByteArray& graphJson, const QString& originalFile, QString* error) {
    QSaveFile file(autosave_);
    if (!file.open(QIODevice::WriteOnly) || file.write(graphJson) != graphJson.size() || !file.commit()) {
        if (error) *error = QObject::tr("autosave %1: %2").arg(autosave_, file.errorString());
        return false;
    }
    QJsonObject meta{{QStringLiteral("file"), originalFile},
                     {QStringLiteral("time"), QDateTime::currentDateTime().toString(Qt::ISODate)},
                     {QStringLiteral("pid"), QCoreApplication::applicationPid()}};
    QSaveFile metaFile(metaPath(autosave_));
    if (metaFile.open(QIODevice::WriteOnly)) {
        metaFile.write(QJsonDocument(meta).toJson());
        metaFile.commit();
    }
    return true;
}

void Session::discardAutosave() {
    QFile::remove(autosave_);
    QFile::remove(metaPath(autosave_));
}

QList<RecoverableSession> Session::findRecoverable(const QString& dirPath) {
    const QDir dir(dirPath.isEmpty() ? defaultDir() : dirPath);
    QList<RecoverableSession> out;
    for (const QFileInfo& fi : dir.entryInfoList({QStringLiteral("session-*.json")}, QDir::Files)) {
        // session-<pid>-<id>.json
        const QStringList parts = fi.completeBaseName().split(u'-');
        const qint64 pid = parts.size() >= 3 ? parts[1].toLongLong() : 0;
        if (processAlive(pid)) continue;
        RecoverableSession s;
        s.autosavePath = fi.absoluteFilePath();
        const QString lock = fi.absolutePath() + u'/' + fi.completeBaseName() + QStringLiteral(".lock");
        if (QFileInfo::exists(lock)) s.lockPath = lock;
        s.savedAt = fi.lastModified();
        QFile meta(metaPath(s.autosavePath));
        if (meta.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(meta.readAll()).object();
            s.originalFile = o.value(QStringLiteral("file")).toString();
        }
        out.append(s);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.savedAt > b.savedAt; });
    return out;
}

void Session::remove(const RecoverableSession& session) {
    QFile::remove(session.autosavePath);
    QFile::remove(metaPath(session.autosavePath));
    if (!session.lockPath.isEmpty()) QFile::remove(session.lockPath);
}

}  // namespace sv::ui
