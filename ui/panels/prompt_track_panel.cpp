#include "panels/prompt_track_panel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

#include "app/graph_editor.h"
#include "canvas/graph_model.h"
#include "panels/prompt_track_widgets.h"
#include "plugin/graph/graph_document.h"
#include "plugin/sdk/node_registry.h"
#include "run/run_queue.h"

namespace sv::ui {

namespace {

const QString kTrack = QStringLiteral("prompt_track");
const QString kFile = QStringLiteral("prompt_file");

nlohmann::json paramOf(const sp::GraphNode& n, const sp::NodeDescriptor& d, const std::string& name) {
    const auto it = n.params.find(name);
    if (it != n.params.end() && !it->is_null()) return *it;
    const sp::ParamSpec* spec = d.findParam(name);
    return spec ? sp::ParamSpec::toJson(spec->defaultValue) : nlohmann::json();
}

QString stringOf(const nlohmann::json& j) {
    return j.is_string() ? QString::fromStdString(j.get<std::string>()) : QString();
}

qint64 intOf(const nlohmann::json& j, qint64 fallback) {
    return j.is_number_integer() ? j.get<qint64>() : fallback;
}

PromptRows rowsOf(const QString& track, const QString& prompt, qint64 chunks) {
    if (!track.trimmed().isEmpty()) return parsePromptRows(track).value_or(PromptRows{});
    return splitPromptRows(prompt, chunks);
}

/// "chunks 3–5" / "chunk 3" (1-based), `last` -1 for "and on".
QString chunkRange(qint64 first, qint64 last) {
    if (last < 0) return QObject::tr("%1 on").arg(first + 1);
    return first == last ? QString::number(first + 1) : QStringLiteral("%1–%2").arg(first + 1).arg(last + 1);
}

QString timeText(double seconds) {
    const auto s = qint64(seconds);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

PromptRows effectiveRows(const sp::GraphDocument& doc, const sp::NodeRegistry& registry, const QString& id) {
    const sp::GraphNode* n = doc.findNode(id.toStdString());
    const sp::NodeDescriptor* d = n ? registry.find(n->type) : nullptr;
    if (!d || !hasPromptTrack(*d)) return {};
    const ChunkLayout layout =
        ChunkLayout::of(intOf(paramOf(*n, *d, "frames"), 1), intOf(paramOf(*n, *d, "chunk_frames"), 1));
    return rowsOf(stringOf(paramOf(*n, *d, "prompt_track")), stringOf(paramOf(*n, *d, "prompt")),
                  layout.chunks);
}

PromptTrackPanel::PromptTrackPanel(GraphEditor& editor, RunQueue& queue, QWidget* parent)
    : QWidget(parent), editor_(editor), queue_(queue) {
    buildUi();
    GraphModel& model = editor_.model();
    connect(&model, &GraphModel::paramChanged, this, [this](const QString& id, const QString& name) {
        if (name == kTrack && live_.contains(id)) syncLiveFile(id);  // also when another node is shown
        if (id == node_) refresh();
    });
    connect(&model, &GraphModel::nodeRemoved, this, [this](const QString& id) {
        if (id == node_) node_.clear();
        setNode({});
    });
    connect(&model, &GraphModel::nodeAdded, this, [this] { setNode({}); });
    connect(&model, &GraphModel::reset, this, [this] {
        live_.clear();  // another document: its jobs are not this one's
        node_.clear();
        setNode({});
    });
    refresh();
}

void PromptTrackPanel::buildUi() {
    auto* column = new QVBoxLayout(this);
    title_ = new QLabel(this);
    title_->setWordWrap(true);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    strip_ = new ChunkStrip(this);
    tree_ = new QTreeWidget(this);
    tree_->setObjectName(QStringLiteral("promptTrackRows"));
    tree_->setColumnCount(3);
    tree_->setHeaderLabels({tr("From"), tr("Chunks"), tr("Prompt")});
    tree_->setRootIsDecorated(false);
    tree_->setUniformRowHeights(false);
    tree_->setWordWrap(true);
    tree_->header()->setStretchLastSection(true);
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    note_ = new QLabel(this);
    note_->setWordWrap(true);
    useTrack_ = new QPushButton(tr("Use the Track Instead"), this);
    auto* buttons = new QHBoxLayout;
    add_ = new QPushButton(tr("Add…"), this);
    edit_ = new QPushButton(tr("Edit…"), this);
    remove_ = new QPushButton(tr("Remove"), this);
    add_->setToolTip(tr("A new prompt from a chunk on"));
    for (QPushButton* b : {add_, edit_, remove_}) buttons->addWidget(b);
    buttons->addStretch(1);
    errorLabel_ = new QLabel(this);
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet(QStringLiteral("color: #e05252;"));
    retry_ = new QPushButton(tr("Retry"), this);
    for (QWidget* w :
         {static_cast<QWidget*>(title_), static_cast<QWidget*>(status_), static_cast<QWidget*>(strip_),
          static_cast<QWidget*>(tree_), static_cast<QWidget*>(note_)})
        column->addWidget(w, w == tree_ ? 1 : 0);
    column->addWidget(useTrack_, 0, Qt::AlignLeft);
    column->addLayout(buttons);
    column->addWidget(errorLabel_);
    column->addWidget(retry_, 0, Qt::AlignLeft);

    connect(add_, &QPushButton::clicked, this, &PromptTrackPanel::askAndAdd);
    connect(edit_, &QPushButton::clicked, this, &PromptTrackPanel::askAndEdit);
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, &PromptTrackPanel::askAndEdit);
    connect(remove_, &QPushButton::clicked, this, [this] { removeRow(selectedChunk()); });
    connect(retry_, &QPushButton::clicked, this, &PromptTrackPanel::retryWrite);
    connect(useTrack_, &QPushButton::clicked, this, &PromptTrackPanel::useTrackInsteadOfFile);
    connect(tree_, &QTreeWidget::itemSelectionChanged, this, &PromptTrackPanel::updateButtons);
    connect(strip_, &ChunkStrip::chunkClicked, this, [this](qint64 chunk) {
        const int row = rowForChunk(rows(), chunk);
        if (row >= 0) tree_->setCurrentItem(tree_->topLevelItem(row));
    });
}

void PromptTrackPanel::setNode(const QString& id) {
    // A selection without a long-video node keeps the one shown (the render goes on while the artist
    // works elsewhere); with none shown yet, the graph's first such node is.
    const GraphModel& model = editor_.model();
    const auto tracked = [&](const QString& n) {
        const sp::NodeDescriptor* d = n.isEmpty() ? nullptr : model.descriptor(n);
        return d && hasPromptTrack(*d);
    };
    QString shown = tracked(id) ? id : tracked(node_) ? node_ : QString();
    for (const QString& n : model.nodeIds())
        if (shown.isEmpty() && tracked(n)) shown = n;
    if (shown == node_) return refresh();
    node_ = shown;
    error_.clear();
    refresh();
}

QString PromptTrackPanel::userPromptFile() const {
    return node_.isEmpty() ? QString() : editor_.model().paramValue(node_, kFile).toString();
}

PromptRows PromptTrackPanel::rows() const {
    if (node_.isEmpty()) return {};
    if (const QString file = userPromptFile(); !file.isEmpty()) {
        QFile f(file);
        return f.open(QIODevice::ReadOnly)
                   ? parsePromptRows(QString::fromUtf8(f.readAll())).value_or(PromptRows{})
                   : PromptRows{};
    }
    const GraphModel& m = editor_.model();
    return rowsOf(m.paramValue(node_, kTrack).toString(),
                  m.paramValue(node_, QStringLiteral("prompt")).toString(), chunkCount());
}

bool PromptTrackPanel::rowsFromSplit() const {
    return !node_.isEmpty() && userPromptFile().isEmpty() &&
           editor_.model().paramValue(node_, kTrack).toString().trimmed().isEmpty();
}

qint64 PromptTrackPanel::chunkCount() const {
    if (const LiveRun* l = live(); l && l->total > 0) return l->total;  // the node's own count
    if (node_.isEmpty()) return 0;
    const GraphModel& m = editor_.model();
    return ChunkLayout::of(m.paramValue(node_, QStringLiteral("frames")).toLongLong(),
                           m.paramValue(node_, QStringLiteral("chunk_frames")).toLongLong())
        .chunks;
}

const PromptTrackPanel::LiveRun* PromptTrackPanel::live() const {
    const auto it = live_.constFind(node_);
    return it == live_.constEnd() ? nullptr : &*it;
}

bool PromptTrackPanel::isRendering() const {
    return live() != nullptr;
}

qint64 PromptTrackPanel::doneChunks() const {
    const LiveRun* l = live();
    return l ? l->done : 0;
}

PromptTrackPanel::ChunkState PromptTrackPanel::chunkState(qint64 chunk) const {
    if (!isRendering() || chunk > doneChunks()) return ChunkState::ToCome;
    return chunk < doneChunks() ? ChunkState::Done : ChunkState::Rendering;
}

qint64 PromptTrackPanel::firstEditableChunk() const {
    // The node read the prompts of the rendering chunk when it started; the next chunk reads them again.
    return isRendering() ? doneChunks() + 1 : 0;
}

QString PromptTrackPanel::liveFile() const {
    const LiveRun* l = live();
    return l ? l->file : QString();
}

QString PromptTrackPanel::errorText() const {
    return error_;
}

bool PromptTrackPanel::refuse(const QString& why) {
    error_ = why;
    refresh();
    return false;
}

bool PromptTrackPanel::setTrack(const PromptRows& rows, const QString& what) {
    if (node_.isEmpty()) return refuse(tr("Select a Long Video node first."));
    if (!userPromptFile().isEmpty())
        return refuse(tr("This node reads its prompts from %1; use the track instead to edit them here.")
                          .arg(userPromptFile()));
    error_.clear();
    editor_.undoStack()->beginMacro(what);
    editor_.setParam(node_, kTrack, promptRowsText(rows));
    editor_.undoStack()->endMacro();
    refresh();
    return error_.isEmpty();
}

bool PromptTrackPanel::addRow(const PromptRow& row) {
    const PromptRow r{row.chunk, normalizedPrompt(row.prompt)};
    if (r.prompt.isEmpty()) return refuse(tr("A row needs a prompt."));
    if (r.chunk < firstEditableChunk())
        return refuse(tr("Chunk %1 has started: changes now reach chunk %2 and later.")
                          .arg(r.chunk + 1)
                          .arg(firstEditableChunk() + 1));
    if (r.chunk >= chunkCount())
        return refuse(
            tr("The video has %1 chunks; chunk %2 is past its end.").arg(chunkCount()).arg(r.chunk + 1));
    return setTrack(withRow(rows(), r), tr("Prompt from chunk %1").arg(r.chunk + 1));
}

bool PromptTrackPanel::editRow(qint64 chunk, const PromptRow& row) {
    const PromptRows current = rows();
    if (rowForChunk(current, chunk) < 0 || current[rowForChunk(current, chunk)].chunk != chunk)
        return refuse(tr("There is no row from chunk %1.").arg(chunk + 1));
    if (chunk < firstEditableChunk())
        return refuse(tr("The row from chunk %1 has been used: changing it has no effect on this render; add "
                         "a row from chunk %2 instead.")
                          .arg(chunk + 1)
                          .arg(firstEditableChunk() + 1));
    if (chunk == 0 && row.chunk != 0)
        return refuse(tr("The first row starts the video: it stays at chunk 1."));
    PromptRows without = current;
    without.removeIf([&](const PromptRow& r) { return r.chunk == chunk; });
    const PromptRow r{row.chunk, normalizedPrompt(row.prompt)};
    if (r.prompt.isEmpty()) return refuse(tr("A row needs a prompt."));
    if (r.chunk < firstEditableChunk() || r.chunk >= chunkCount())
        return refuse(tr("Chunk %1 cannot be changed now.").arg(r.chunk + 1));
    return setTrack(withRow(without, r), tr("Edit prompt from chunk %1").arg(r.chunk + 1));
}

bool PromptTrackPanel::removeRow(qint64 chunk) {
    PromptRows current = rows();
    const int i = rowForChunk(current, chunk);
    if (i < 0 || current[i].chunk != chunk)
        return refuse(tr("There is no row from chunk %1.").arg(chunk + 1));
    if (chunk < firstEditableChunk())
        return refuse(tr("The row from chunk %1 has been used: removing it has no effect on this render.")
                          .arg(chunk + 1));
    if (chunk == 0) return refuse(tr("The first row starts the video: edit it instead."));
    current.removeAt(i);
    return setTrack(current, tr("Remove prompt from chunk %1").arg(chunk + 1));
}

bool PromptTrackPanel::useTrackInsteadOfFile() {
    const QString file = userPromptFile();
    if (file.isEmpty()) return true;
    if (isRendering()) return refuse(tr("Wait for the render to end: it reads %1.").arg(file));
    const PromptRows fromFile = rows();
    if (fromFile.isEmpty()) return refuse(tr("%1 holds no \"CHUNK: prompt\" line to take.").arg(file));
    error_.clear();
    editor_.undoStack()->beginMacro(tr("Use the prompt track instead of %1").arg(QFileInfo(file).fileName()));
    editor_.setParam(node_, kTrack, promptRowsText(fromFile));
    editor_.resetParam(node_, kFile);
    editor_.undoStack()->endMacro();
    refresh();
    return true;
}

// ---- the view

void PromptTrackPanel::refresh() {
    const bool shown = !node_.isEmpty();
    for (QWidget* w :
         {static_cast<QWidget*>(strip_), static_cast<QWidget*>(tree_), static_cast<QWidget*>(add_),
          static_cast<QWidget*>(edit_), static_cast<QWidget*>(remove_)})
        w->setVisible(shown);
    const QString file = userPromptFile();
    useTrack_->setVisible(shown && !file.isEmpty());
    errorLabel_->setText(error_);
    errorLabel_->setVisible(!error_.isEmpty());
    const LiveRun* l = live();
    retry_->setVisible(l && l->ours && !error_.isEmpty() && error_.startsWith(tr("Not sent")));
    if (!shown) {
        title_->setText(tr("<b>Prompt track</b>"));
        status_->setText(
            tr("Select a Long Video node to see and change its prompts over time, also while it "
               "renders."));
        note_->clear();
        return;
    }
    const GraphModel& m = editor_.model();
    const qint64 chunks = chunkCount();
    title_->setText(tr("<b>%1</b> (%2): %3 chunks").arg(m.title(node_), node_).arg(chunks));
    if (l) {
        status_->setText(l->done >= chunks
                             ? tr("All %1 chunks are done.").arg(chunks)
                             : tr("Rendering chunk %1 of %2. Done and rendering chunks keep their prompt "
                                  "(changing them has "
                                  "no effect on this render); changes reach chunk %3 and later.")
                                   .arg(l->done + 1)
                                   .arg(chunks)
                                   .arg(std::min(l->done + 2, chunks)));
    } else {
        status_->setText(
            tr("Idle: each change is an undoable edit of the graph. While the video renders, "
               "changes reach the chunks still to come."));
    }
    if (!file.isEmpty())
        note_->setText(tr("The prompts come from the node's prompt file %1 (edit that file, or use the track "
                          "instead).")
                           .arg(file));
    else if (rowsFromSplit())
        note_->setText(tr("From the prompt's <split> parts; the first change stores them as the track."));
    else
        note_->clear();
    note_->setVisible(!note_->text().isEmpty());
    fillTree(rows());
}

void PromptTrackPanel::fillTree(const PromptRows& rows) {
    const qint64 keep = selectedChunk();
    const qint64 chunks = chunkCount();
    const QVariant fpsValue = editor_.model().paramValue(node_, QStringLiteral("fps"));
    const double fps = fpsValue.isValid() && fpsValue.toDouble() > 0 ? fpsValue.toDouble() : 16.0;
    const GraphModel& m = editor_.model();
    const ChunkLayout layout =
        ChunkLayout::of(m.paramValue(node_, QStringLiteral("frames")).toLongLong(),
                        m.paramValue(node_, QStringLiteral("chunk_frames")).toLongLong());
    const auto when = [&](qint64 c) { return timeText(double(layout.firstFrame(c)) / fps); };
    tree_->clear();
    for (int i = 0; i < rows.size(); ++i) {
        const qint64 first = rows[i].chunk;
        const qint64 last = i + 1 < rows.size() ? rows[i + 1].chunk - 1 : chunks - 1;
        QString span = first >= chunks ? tr("past the end") : chunkRange(first, std::min(last, chunks - 1));
        const bool used = isRendering() && first < firstEditableChunk();
        if (isRendering() && first <= doneChunks() && doneChunks() <= last)
            span += tr(" · rendering");
        else if (used)
            span += tr(" · done");
        auto* item = new QTreeWidgetItem(
            tree_, {tr("chunk %1 (%2)").arg(first + 1).arg(when(first)), span, rows[i].prompt});
        item->setData(0, Qt::UserRole, first);
        item->setToolTip(2, rows[i].prompt);
        if (used) {
            for (int c = 0; c < 3; ++c)
                item->setForeground(c, palette().color(QPalette::Disabled, QPalette::Text));
            item->setToolTip(0, tr("Used by the render: changing it has no effect on this render."));
        }
        if (first == keep) tree_->setCurrentItem(item);
    }
    const qint64 rendering = isRendering() && doneChunks() < chunks ? doneChunks() : -1;
    strip_->setState(chunks, rendering, isRendering() ? doneChunks() : 0, rows, [this, rows, when](qint64 c) {
        const int i = rowForChunk(rows, c);
        const QString state = chunkState(c) == ChunkState::Done        ? tr("done")
                              : chunkState(c) == ChunkState::Rendering ? tr("rendering")
                                                                       : tr("to come");
        return tr("Chunk %1 (from %2), %3: %4")
            .arg(c + 1)
            .arg(when(c), state, i >= 0 ? rows[i].prompt : QString());
    });
    updateButtons();
}

qint64 PromptTrackPanel::selectedChunk() const {
    const QTreeWidgetItem* item = tree_->currentItem();
    return item ? item->data(0, Qt::UserRole).toLongLong() : -1;
}

void PromptTrackPanel::updateButtons() {
    const bool trackEditable = !node_.isEmpty() && userPromptFile().isEmpty();
    const qint64 chunk = selectedChunk();
    add_->setEnabled(trackEditable && firstEditableChunk() < chunkCount());
    edit_->setEnabled(trackEditable && chunk >= firstEditableChunk());
    remove_->setEnabled(trackEditable && chunk > 0 && chunk >= firstEditableChunk());
}

void PromptTrackPanel::askAndAdd() {
    const PromptRows current = rows();
    const qint64 next = std::max(firstEditableChunk(), selectedChunk() + 1);
    const int covering = rowForChunk(current, next);
    PromptRow row{next, covering >= 0 ? current[covering].prompt : QString()};
    if (askPromptRow(this, tr("Add a Prompt"), row, firstEditableChunk(), chunkCount(), false)) addRow(row);
}

void PromptTrackPanel::askAndEdit() {
    const qint64 chunk = selectedChunk();
    const PromptRows current = rows();
    const int i = rowForChunk(current, chunk);
    if (i < 0 || chunk < firstEditableChunk()) return;
    PromptRow row = current[i];
    if (askPromptRow(this, tr("Edit the Prompt"), row,
                     std::max<qint64>(firstEditableChunk(), chunk == 0 ? 0 : 1), chunkCount(), chunk == 0))
        editRow(chunk, row);
}

}  // namespace sv::ui
