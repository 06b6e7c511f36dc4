// Crash safety: each editor window writes its graph to an autosave file in the app data folder every few
// seconds while it has unsaved changes, next to a lock file naming the process. A clean exit removes both. At
// start, an autosave whose process is gone is a crashed session, and the editor offers to recover it.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace sv::ui {

/// One crashed session's autosave.
struct RecoverableSession {
    QString autosavePath;  ///< the graph JSON
    QString lockPath;      ///< its lock file ("" when missing)
    QString originalFile;  ///< the file the graph was opened from ("" for an untitled graph)
    QDateTime savedAt;
};

class Session {
  public:
    /// A session writing into `dir` (created when missing); "" → <AppDataLocation>/autosave.
    explicit Session(const QString& dir = {});
    /// Removes this session's lock and autosave (clean exit).
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const QString& dir() const { return dir_; }
    const QString& autosavePath() const { return autosave_; }
    /// Writes the graph text and the file it belongs to (atomically). False (and `error`) on failure.
    bool write(const QByteArray& graphJson, const QString& originalFile, QString* error = nullptr);
    /// Removes the autosave (after a save, the file on disk is newer).
    void discardAutosave();

    /// Autosaves in `dir` left by processes that are no longer running (newest first).
    static QList<RecoverableSession> findRecoverable(const QString& dir = {});
    /// Deletes a recovered (or declined) session's files.
    static void remove(const RecoverableSession& session);
    static QString defaultDir();

  private:
    QString dir_;
    QString lock_;
    QString autosave_;
};

}  // namespace sv::ui
