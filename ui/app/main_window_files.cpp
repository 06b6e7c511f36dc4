// MainWindow: files — new, open, save, recent files, autosave and crash recovery, files dropped on the
// canvas.
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QUndoStack>

#include "app/graph_editor.h"
#include "app/main_window.h"
#include "app/session.h"
#include "app/video_graph.h"
#include "base/error.h"
#include "canvas/graph_model.h"
#include "canvas/graph_view.h"
#include "panels/log_panel.h"
#include "panels/preview_pane.h"
#include "plugin/graph/validation.h"

namespace sv::ui {

namespace {

/// A graph file's bytes, read with the engine's input checks: a folder, FIFO or device is refused without
/// blocking, and so is a file over the graph size limit. Returns false with the message in `error`.
bool readGraphFile(const QString& path, QByteArray& out, QString& error) {
    try {
        const std::string text = sp::GraphDocument::readFile(std::filesystem::path(path.toStdString()));
        out = QByteArray(text.data(), qsizetype(text.size()));
        return true;
    } catch (const Error& e) {
        error = QString::fromStdString(e.what());
        return false;
    }
}

constexpr int kMaxRecent = 10;
const QString kRecentKey = QStringLiteral("files/recent");
const QString kGraphFilter =
    QObject::tr("Graphs (*.json);;Videos with a graph (*.mp4 *.mov *.m4v);;All files (*)");
}  // namespace

bool MainWindow::maybeDiscard() {
    if (!isModified() || !m_options.confirmDiscard) return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("The graph has unsaved changes. Save them first?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

bool MainWindow::newGraph() {
    if (!maybeDiscard()) return false;
    m_doc = sp::GraphDocument();  // observers see Reset
    m_editor->undoStack()->clear();
    m_file.clear();
    m_forceModified = false;
    ++m_generation;
    m_results.clear();
    m_preview->clear();
    m_session->discardAutosave();
    updateTitle();
    return true;
}

void MainWindow::openWithDialog() {
    if (!maybeDiscard()) return;
    const QString start = m_file.isEmpty() ? QSettings().value(QStringLiteral("files/lastFolder")).toString()
                                           : QFileInfo(m_file).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open graph"), start, kGraphFilter);
    if (path.isEmpty()) return;
    QSettings().setValue(QStringLiteral("files/lastFolder"), QFileInfo(path).absolutePath());
    openFile(path);
}

bool MainWindow::loadDocument(const QByteArray& json, const QString& source, const QString& file) {
    sp::GraphDocument doc;
    try {
        doc = sp::GraphDocument::parse(std::string_view(json.constData(), size_t(json.size())),
                                       source.toStdString());
    } catch (const sv::Error& e) {
        const QString message = QString::fromUtf8(e.what());
        m_log->error(tr("file"), message);
        statusBar()->showMessage(tr("Cannot open %1").arg(source), 8000);
        return false;
    }
    m_doc = std::move(doc);  // observers see Reset: the scene and the inspector rebuild
    m_editor->undoStack()->clear();
    m_file = file;
    m_forceModified = false;
    ++m_generation;
    m_results.clear();
    m_preview->clear();
    m_autosaveDirty = false;
    m_session->discardAutosave();
    logValidation(source);
    updateTitle();
    m_view->frameAll();
    return true;
}

bool MainWindow::openFile(const QString& path) {
    QByteArray json;
    const bool video = isVideoFile(path);
    if (video) {
        QString error;
        json = graphJsonFromVideo(path, &error);
        if (json.isEmpty()) {
            m_log->error(tr("file"), error);
            statusBar()->showMessage(error, 8000);
            return false;
        }
    } else if (QString error; !readGraphFile(path, json, error)) {
        m_log->error(tr("file"), error);
        return false;
    }
    // A graph restored from a video is a new, untitled graph: saving must not write JSON over the MP4.
    if (!loadDocument(json, path, video ? QString() : QFileInfo(path).absoluteFilePath())) return false;
    if (video) m_forceModified = true;
    addRecentFile(QFileInfo(path).absoluteFilePath());
    m_log->info(tr("file"),
                video ? tr("Restored the graph embedded in %1").arg(path) : tr("Opened %1").arg(path));
    updateTitle();
    return true;
}

bool MainWindow::openTemplate(const QString& path) {
    QByteArray json;
    if (QString error; !readGraphFile(path, json, error)) {
        m_log->warning(tr("file"), error);
        return false;
    }
    if (!loadDocument(json, path, QString())) return false;
    // Empty folder fields (the model folder of a default graph) start with the last model folder used.
    const QStringList folders = QSettings().value(QStringLiteral("paths/modelFolders")).toStringList();
    if (!folders.isEmpty()) {
        for (const sp::GraphNode& n : std::vector<sp::GraphNode>(m_doc.nodes())) {
            const sp::NodeDescriptor* d = m_registry.find(n.type);
            if (!d) continue;
            for (const sp::ParamSpec& p : d->params) {
                if (p.type != sp::PortType::Path || p.pathMode != sp::PathMode::Folder) continue;
                const auto it = n.params.find(p.name);
                const bool empty = it == n.params.end() || it->is_null() ||
                                   (it->is_string() && it->get<std::string>().empty());
                if (empty) m_doc.setParam(n.id, p.name, folders.first().toStdString());
            }
        }
        m_editor->undoStack()->clear();
    }
    m_log->info(tr("file"), tr("New graph from %1").arg(QFileInfo(path).fileName()));
    return true;
}

bool MainWindow::saveTo(const QString& path) {
    try {
        m_doc.save(path.toStdString());
    } catch (const sv::Error& e) {
        m_log->error(tr("file"), QString::fromUtf8(e.what()));
        statusBar()->showMessage(tr("Save failed: %1").arg(QString::fromUtf8(e.what())), 8000);
        return false;
    }
    m_file = QFileInfo(path).absoluteFilePath();
    m_editor->undoStack()->setClean();
    m_forceModified = false;
    m_session->discardAutosave();
    addRecentFile(m_file);
    statusBar()->showMessage(tr("Saved %1").arg(m_file), 4000);
    updateTitle();
    return true;
}

bool MainWindow::save() {
    return m_file.isEmpty() ? saveAs() : saveTo(m_file);
}

bool MainWindow::saveAs() {
    QString start = m_file;
    if (start.isEmpty())
        start = QSettings().value(QStringLiteral("files/lastFolder"), QDir::homePath()).toString() +
                QStringLiteral("/untitled.json");
    QString path = QFileDialog::getSaveFileName(this, tr("Save graph"), start, tr("Graphs (*.json)"));
    if (path.isEmpty()) return false;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
    QSettings().setValue(QStringLiteral("files/lastFolder"), QFileInfo(path).absolutePath());
    return saveTo(path);
}

QStringList MainWindow::recentFiles() const {
    return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::addRecentFile(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    if (!m_recentMenu) return;
    m_recentMenu->clear();
    const QStringList recent = recentFiles();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        QAction* a = m_recentMenu->addAction(
            QStringLiteral("&%1  %2").arg((i + 1) % 10).arg(QFileInfo(path).fileName()));
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] {
            if (maybeDiscard()) openFile(path);
        });
    }
    if (recent.isEmpty()) m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear Recent Files"), this, [this] {
        QSettings().remove(kRecentKey);
        rebuildRecentMenu();
    });
}

void MainWindow::onFileDropped(const QString& path) {
    if (!maybeDiscard()) return;
    openFile(path);
}

void MainWindow::logValidation(const QString& source) {
    const auto issues = sp::validateGraph(m_doc, m_registry);
    for (const sp::GraphIssue& issue : issues) {
        const QString text = QString::fromStdString(issue.message);
        if (issue.kind == sp::GraphIssue::Kind::MissingInput) continue;  // normal while editing
        if (issue.isError()) {
            m_log->error(QFileInfo(source).fileName(), text);
        } else {
            m_log->warning(QFileInfo(source).fileName(), text);
        }
    }
}

QString MainWindow::autosaveNow() {
    QString error;
    if (!m_session->write(QByteArray::fromStdString(m_doc.toText(2)), m_file, &error)) {
        m_log->warning(tr("autosave"), error);
        return {};
    }
    m_autosaveDirty = false;
    return m_session->autosavePath();
}

bool MainWindow::offerRecovery(bool ask) {
    const QList<RecoverableSession> sessions = Session::findRecoverable(m_session->dir());
    if (sessions.isEmpty()) return false;
    const RecoverableSession& newest = sessions.first();
    if (ask) {
        const QString what = newest.originalFile.isEmpty() ? tr("an untitled graph")
                                                           : QFileInfo(newest.originalFile).fileName();
        const auto answer =
            QMessageBox::question(this, tr("Recover unsaved work?"),
                                  tr("Sana Video Studio did not close properly. Recover %1, autosaved %2?")
                                      .arg(what, QLocale().toString(newest.savedAt, QLocale::ShortFormat)),
                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (answer != QMessageBox::Yes) {
            for (const auto& s : sessions) Session::remove(s);
            return false;
        }
    }
    QByteArray json;
    QString error;
    const bool ok = readGraphFile(newest.autosavePath, json, error) &&
                    loadDocument(json, newest.autosavePath, newest.originalFile);
    if (ok) {
        m_forceModified = true;  // recovered work is not on disk yet
        m_log->info(tr("file"),
                    tr("Recovered the autosave of %2 (%1)")
                        .arg(newest.savedAt.toString(Qt::ISODate),
                             newest.originalFile.isEmpty() ? tr("an untitled graph") : newest.originalFile));
        updateTitle();
        autosaveNow();
    }
    for (const auto& s : sessions) Session::remove(s);
    return ok;
}

}  // namespace sv::ui
