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

#include "app/application.h"
#include "app/graph_editor.h"
#include "app/main_window.h"
#include "app/session.h"
#include "app/video_graph.h"
#include "base/error.h"
#include "canvas/graph_model.h"
#include "canvas/graph_view.h"
#include "panels/banner.h"
#include "panels/log_panel.h"
#include "panels/param_widgets.h"
#include "panels/preview_pane.h"
#include "plugin/graph/validation.h"
#include "run/run_queue.h"

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
    if (!isModified() || !options_.confirmDiscard) return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("The graph has unsaved changes. Save them first?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::resetRunState() {
    // Badges, results and problems belong to the document that was open; jobs of it no longer badge.
    ++generation_;
    results_.clear();
    resultFiles_.clear();
    lastInfo_.clear();
    statusBeforeRun_.clear();
    previewNode_.clear();
    preview_->clear();
    banner_->dismiss();
}

bool MainWindow::newGraph() {
    if (!maybeDiscard()) return false;
    doc_ = sp::GraphDocument();  // observers see Reset
    editor_->undoStack()->clear();
    file_.clear();
    forceModified_ = false;
    resetRunState();
    session_->discardAutosave();
    updateTitle();
    return true;
}

void MainWindow::openWithDialog() {
    if (!maybeDiscard()) return;
    const QString start = file_.isEmpty() ? QSettings().value(QStringLiteral("files/lastFolder")).toString()
                                          : QFileInfo(file_).absolutePath();
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
        log_->error(tr("file"), message);
        statusBar()->showMessage(tr("Cannot open %1").arg(source), 8000);
        return false;
    }
    doc_ = std::move(doc);  // observers see Reset: the scene and the inspector rebuild
    editor_->undoStack()->clear();
    file_ = file;
    forceModified_ = false;
    resetRunState();
    autosaveDirty_ = false;
    session_->discardAutosave();
    logValidation(source);
    updateTitle();
    view_->frameAllWhenReady();
    return true;
}

bool MainWindow::openFile(const QString& path) {
    // A shipped template opens untitled: Ctrl+S must never write over it.
    if (isTemplateFile(path)) return openTemplate(path);
    QByteArray json;
    const bool video = isVideoFile(path);
    if (video) {
        QString error;
        json = graphJsonFromVideo(path, &error);
        if (json.isEmpty()) {
            log_->error(tr("file"), error);
            statusBar()->showMessage(error, 8000);
            return false;
        }
    } else if (QString error; !readGraphFile(path, json, error)) {
        log_->error(tr("file"), error);
        return false;
    }
    // A graph restored from a video is a new, untitled graph: saving must not write JSON over the MP4.
    if (!loadDocument(json, path, video ? QString() : QFileInfo(path).absoluteFilePath())) return false;
    if (video) forceModified_ = true;
    addRecentFile(QFileInfo(path).absoluteFilePath());
    log_->info(tr("file"),
               video ? tr("Restored the graph embedded in %1").arg(path) : tr("Opened %1").arg(path));
    updateTitle();
    return true;
}

bool MainWindow::openTemplate(const QString& path) {
    QByteArray json;
    if (QString error; !readGraphFile(path, json, error)) {
        log_->warning(tr("file"), error);
        return false;
    }
    if (!loadDocument(json, path, QString())) return false;
    applyRememberedModelFolder();
    log_->info(tr("file"), tr("New graph from the template %1").arg(QFileInfo(path).fileName()));
    return true;
}

void MainWindow::applyRememberedModelFolder() {
    // Empty folder fields (the model folder of a template) start with the last model folder used.
    const QStringList folders = recentModelFolders();
    if (folders.isEmpty()) return;
    for (const sp::GraphNode& n : std::vector<sp::GraphNode>(doc_.nodes())) {
        const sp::NodeDescriptor* d = registry_.find(n.type);
        if (!d) continue;
        for (const sp::ParamSpec& p : d->params) {
            if (p.type != sp::PortType::Path || p.pathMode != sp::PathMode::Folder) continue;
            const auto it = n.params.find(p.name);
            const bool empty =
                it == n.params.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty());
            if (empty) doc_.setParam(n.id, p.name, folders.first().toStdString());
        }
    }
    editor_->undoStack()->clear();
}

void MainWindow::rebuildTemplateMenu() {
    templateMenu_->clear();
    const QList<GraphTemplate> templates = graphTemplates();
    for (int i = 0; i < templates.size(); ++i) {
        const GraphTemplate& t = templates[i];
        QAction* a = templateMenu_->addAction(t.title);
        a->setToolTip(t.description);
        a->setStatusTip(t.description);
        a->setData(t.path);
        if (i == 0) a->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
        connect(a, &QAction::triggered, this, [this, path = t.path] {
            if (maybeDiscard()) openTemplate(path);
        });
    }
    if (templates.isEmpty()) templateMenu_->addAction(tr("(no template found)"))->setEnabled(false);
}

bool MainWindow::openJobGraph(int jobId) {
    const Job* j = queue_->job(jobId);
    if (!j || !j->doc || !maybeDiscard()) return false;
    doc_ = *j->doc;  // observers see Reset
    editor_->undoStack()->clear();
    file_.clear();
    forceModified_ = true;  // not on disk
    resetRunState();
    session_->discardAutosave();
    updateTitle();
    view_->frameAllWhenReady();
    log_->info(tr("file"), tr("Opened the graph of job #%1 (%2)").arg(jobId).arg(j->name));
    showJobResult(jobId);
    return true;
}

QStringList MainWindow::applyOverrides(const QStringList& sets) {
    QStringList problems;
    editor_->undoStack()->beginMacro(tr("Set parameters"));
    for (const QString& set : sets) {
        const qsizetype dot = set.indexOf(u'.'), eq = set.indexOf(u'=');
        if (dot <= 0 || eq < dot + 2) {
            problems << tr("%1: expected NODE.PARAM=VALUE").arg(set);
            continue;
        }
        const QString node = set.left(dot), param = set.mid(dot + 1, eq - dot - 1);
        const sp::NodeDescriptor* d = model_->descriptor(node);
        const sp::ParamSpec* spec = d ? d->findParam(param.toStdString()) : nullptr;
        if (!spec) {
            problems << tr("%1: no parameter %2 on a node %3").arg(set, param, node);
            continue;
        }
        try {
            const nlohmann::json value = spec->parseText(set.mid(eq + 1).toStdString());
            editor_->setParam(node, param, GraphModel::toVariant(value));
            problems << QString();
        } catch (const sv::Error& e) {
            problems << QString::fromUtf8(e.what());
        }
    }
    editor_->undoStack()->endMacro();
    return problems;
}

bool MainWindow::saveTo(const QString& path) {
    try {
        doc_.save(path.toStdString());
    } catch (const sv::Error& e) {
        log_->error(tr("file"), QString::fromUtf8(e.what()));
        statusBar()->showMessage(tr("Save failed: %1").arg(QString::fromUtf8(e.what())), 8000);
        return false;
    }
    file_ = QFileInfo(path).absoluteFilePath();
    editor_->undoStack()->setClean();
    forceModified_ = false;
    session_->discardAutosave();
    addRecentFile(file_);
    statusBar()->showMessage(tr("Saved %1").arg(file_), 4000);
    updateTitle();
    return true;
}

bool MainWindow::save() {
    return file_.isEmpty() ? saveAs() : saveTo(file_);
}

bool MainWindow::saveAs() {
    QString start = file_;
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
    if (!recentMenu_) return;
    recentMenu_->clear();
    const QStringList recent = recentFiles();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        QAction* a = recentMenu_->addAction(
            QStringLiteral("&%1  %2").arg((i + 1) % 10).arg(QFileInfo(path).fileName()));
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] {
            if (maybeDiscard()) openFile(path);
        });
    }
    if (recent.isEmpty()) recentMenu_->addAction(tr("(none)"))->setEnabled(false);
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("Clear Recent Files"), this, [this] {
        QSettings().remove(kRecentKey);
        rebuildRecentMenu();
    });
}

void MainWindow::onFileDropped(const QString& path) {
    if (!maybeDiscard()) return;
    openFile(path);
}

void MainWindow::logValidation(const QString& source) {
    const auto issues = sp::validateGraph(doc_, registry_);
    for (const sp::GraphIssue& issue : issues) {
        const QString text = QString::fromStdString(issue.message);
        if (issue.kind == sp::GraphIssue::Kind::MissingInput) continue;  // normal while editing
        if (issue.isError()) {
            log_->error(QFileInfo(source).fileName(), text);
        } else {
            log_->warning(QFileInfo(source).fileName(), text);
        }
    }
}

QString MainWindow::autosaveNow() {
    QString error;
    if (!session_->write(QByteArray::fromStdString(doc_.toText(2)), file_, &error)) {
        log_->warning(tr("autosave"), error);
        return {};
    }
    autosaveDirty_ = false;
    return session_->autosavePath();
}

bool MainWindow::offerRecovery(bool ask) {
    const QList<RecoverableSession> sessions = Session::findRecoverable(session_->dir());
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
        forceModified_ = true;  // recovered work is not on disk yet
        log_->info(tr("file"),
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
