#include "canvas/graph_view.h"

#include <QAction>
#include <QApplication>
#include <QFileInfo>
#include <QMimeData>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "app/graph_editor.h"
#include "canvas/node_item.h"

namespace sv::ui {

namespace {
constexpr qreal kMinZoom = 0.1;
constexpr qreal kMaxZoom = 4.0;
constexpr qreal kFrameMaxZoom = 1.25;
constexpr qreal kFrameMargin = 60.0;
}  // namespace

GraphView::GraphView(GraphScene& scene, QWidget* parent) : QGraphicsView(&scene, parent), m_scene(scene) {
    setObjectName(QStringLiteral("graphView"));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setViewportUpdateMode(QGraphicsView::BoundingRectViewportUpdate);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setDragMode(QGraphicsView::RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);

    m_palette = new NodePalette(this);
    connect(m_palette, &NodePalette::nodeChosen, this, [this](const QString& typeId) {
        GraphEditor& editor = m_scene.editor();
        const QString id = m_palettePending
                               ? editor.addNodeConnected(typeId, m_paletteScenePos, m_palettePending->port,
                                                         m_palettePending->side)
                               : editor.addNode(typeId, m_paletteScenePos);
        if (!id.isEmpty()) m_scene.selectNodes({id});
        m_palettePending.reset();
        setFocus();
    });
    connect(m_palette, &NodePalette::dismissed, this, [this] { m_palettePending.reset(); });
    connect(&m_scene, &GraphScene::paletteRequested, this,
            [this](const QPoint&, const QPointF& scenePos, std::optional<PendingLink> pending) {
                openPalette(mapFromScene(scenePos), std::move(pending));
            });
    createActions();
    // Inline editors get their keys: a proxied widget re-sends key presses through QApplication, which would
    // try the canvas shortcuts (Delete, D, ...) a second time, so they are switched off while one has the
    // focus.
    connect(&m_scene, &QGraphicsScene::focusItemChanged, this, [this](QGraphicsItem* now) {
        const bool editing = now && now->isWidget();
        for (QAction* a : {m_actions.addNode, m_actions.remove, m_actions.cut, m_actions.copy,
                           m_actions.paste, m_actions.duplicate, m_actions.selectAll, m_actions.bypass,
                           m_actions.view, m_actions.frame, m_actions.frameAll})
            a->setEnabled(!editing);
    });
}

GraphView::~GraphView() = default;

void GraphView::createActions() {
    auto make = [this](const QString& text, QList<QKeySequence> keys, auto slot) {
        auto* a = new QAction(text, this);
        a->setShortcuts(keys);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    GraphEditor& ed = m_scene.editor();
    m_actions.addNode = make(tr("Add Node…"), {QKeySequence(Qt::SHIFT | Qt::Key_A)},
                             [this] { openPalette(mapFromScene(insertionPoint())); });
    m_actions.remove =
        make(tr("Delete"), {QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)},
             [this, &ed] { ed.removeItems(m_scene.selectedNodeIds(), m_scene.selectedLinks()); });
    m_actions.cut = make(tr("Cut"), {QKeySequence::Cut}, [this, &ed] {
        const QStringList ids = m_scene.selectedNodeIds();
        ed.copy(ids);
        ed.removeItems(ids, m_scene.selectedLinks());
    });
    m_actions.copy =
        make(tr("Copy"), {QKeySequence::Copy}, [this, &ed] { ed.copy(m_scene.selectedNodeIds()); });
    m_actions.paste = make(tr("Paste"), {QKeySequence::Paste}, [this, &ed] {
        const QStringList ids = ed.paste(insertionPoint());
        if (!ids.isEmpty()) m_scene.selectNodes(ids);
    });
    m_actions.duplicate = make(tr("Duplicate"), {QKeySequence(Qt::CTRL | Qt::Key_D)}, [this, &ed] {
        const QStringList ids = ed.duplicate(m_scene.selectedNodeIds());
        if (!ids.isEmpty()) m_scene.selectNodes(ids);
    });
    m_actions.selectAll = make(tr("Select All"), {QKeySequence::SelectAll},
                               [this] { m_scene.selectNodes(m_scene.editor().model().nodeIds()); });
    m_actions.bypass = make(tr("Toggle Bypass"), {QKeySequence(Qt::Key_D)},
                            [this, &ed] { ed.toggleBypass(m_scene.selectedNodeIds()); });
    m_actions.view = make(tr("Toggle View Flag"), {QKeySequence(Qt::Key_V)}, [this, &ed] {
        const QStringList ids = m_scene.selectedNodeIds();
        if (ids.size() == 1) ed.setViewed(ids.first());
    });
    m_actions.frame = make(tr("Frame Selected"), {QKeySequence(Qt::Key_F)}, [this] { frameSelection(); });
    m_actions.frameAll = make(tr("Frame All"), {QKeySequence(Qt::Key_Home)}, [this] { frameAll(); });
}

QPointF GraphView::insertionPoint() const {
    const QPoint cursor = viewport()->mapFromGlobal(QCursor::pos());
    if (viewport()->rect().contains(cursor)) return mapToScene(cursor);
    return mapToScene(viewport()->rect().center());
}

QList<PaletteEntry> GraphView::paletteEntries(const std::optional<PendingLink>& pending) const {
    const GraphModel& model = m_scene.editor().model();
    QStringList allowed;
    if (pending)
        allowed = model.compatibleTypes(pending->typeName,
                                        pending->side == PortSide::Out ? PortSide::In : PortSide::Out);
    QList<PaletteEntry> out;
    for (const auto* e : model.registry().entries()) {
        const QString id = GraphModel::qs(e->descriptor.typeId);
        if (pending && !allowed.contains(id)) continue;
        out.append(
            {id, GraphModel::qs(e->descriptor.caption.empty() ? e->descriptor.typeId : e->descriptor.caption),
             GraphModel::qs(e->descriptor.category), GraphModel::qs(e->descriptor.help)});
    }
    return out;
}

void GraphView::openPalette(QPoint viewPos, std::optional<PendingLink> pending) {
    m_paletteScenePos = mapToScene(viewPos);
    const QString title = pending ? tr("Connect to %1").arg(pending->typeName) : QString();
    const auto entries = paletteEntries(pending);
    m_palettePending = std::move(pending);
    m_palette->popup(viewport()->mapToGlobal(viewPos), entries, title);
}

void GraphView::fitRect(const QRectF& rect) {
    if (rect.isEmpty()) return;
    fitInView(rect.adjusted(-kFrameMargin, -kFrameMargin, kFrameMargin, kFrameMargin), Qt::KeepAspectRatio);
    if (zoom() > kFrameMaxZoom) setZoom(kFrameMaxZoom);
    centerOn(rect.center());
}

void GraphView::frameSelection() {
    const QStringList ids = m_scene.selectedNodeIds();
    fitRect(m_scene.nodesBoundingRect(ids));
}

void GraphView::frameAll() {
    fitRect(m_scene.nodesBoundingRect());
}

void GraphView::setZoom(qreal z, std::optional<QPoint> anchorViewPos) {
    z = std::clamp(z, kMinZoom, kMaxZoom);
    const QPointF anchorScene =
        anchorViewPos ? mapToScene(*anchorViewPos) : mapToScene(viewport()->rect().center());
    const ViewportAnchor previous = transformationAnchor();
    setTransformationAnchor(QGraphicsView::NoAnchor);
    setTransform(QTransform::fromScale(z, z));
    // Keep the anchor point under the same viewport position.
    const QPoint anchorView = anchorViewPos ? *anchorViewPos : viewport()->rect().center();
    const QPointF moved = mapFromScene(anchorScene) - QPointF(anchorView);
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() + int(std::lround(moved.x())));
    verticalScrollBar()->setValue(verticalScrollBar()->value() + int(std::lround(moved.y())));
    setTransformationAnchor(previous);
}

void GraphView::wheelEvent(QWheelEvent* event) {
    const qreal steps = event->angleDelta().y() / 120.0;
    if (steps == 0) return;
    setZoom(zoom() * std::pow(1.15, steps), event->position().toPoint());
    event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_panning = true;
        m_panLast = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event) {
    if (m_panning) {
        const QPoint p = event->position().toPoint();
        const QPoint d = p - m_panLast;
        m_panLast = p;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        m_panning = false;
        viewport()->setCursor(m_spaceHeld ? Qt::OpenHandCursor : Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent* event) {
    if (m_scene.focusItem()) {  // an inline editor has the keyboard
        QGraphicsView::keyPressEvent(event);
        return;
    }
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = true;
        viewport()->setCursor(Qt::OpenHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && m_spaceHeld) {
        m_spaceHeld = false;
        if (!m_panning) viewport()->setCursor(Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void GraphView::focusOutEvent(QFocusEvent* event) {
    m_spaceHeld = false;
    QGraphicsView::focusOutEvent(event);
}

bool GraphView::event(QEvent* event) {
    // While an inline parameter editor has the keyboard, keys are text: Delete, Backspace, D, Ctrl+A,
    // Ctrl+Z... edit the value instead of firing canvas shortcuts. Run (Ctrl+Enter) and Escape keep working.
    if (event->type() == QEvent::ShortcutOverride && m_scene.focusItem()) {
        auto* key = static_cast<QKeyEvent*>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (key->key() != Qt::Key_Escape && !(enter && (key->modifiers() & Qt::ControlModifier))) {
            event->accept();
            return true;
        }
    }
    // Tab opens the palette (instead of moving focus) unless an inline editor has the keyboard.
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Tab && key->modifiers() == Qt::NoModifier && !m_scene.focusItem()) {
            openPalette(mapFromScene(insertionPoint()));
            return true;
        }
    }
    return QGraphicsView::event(event);
}

void GraphView::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) {
        event->acceptProposedAction();
        return;
    }
    if (event->mimeData()->hasFormat(QString::fromLatin1(GraphEditor::kMimeType))) {
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent* event) {
    if (event->mimeData()->hasUrls() ||
        event->mimeData()->hasFormat(QString::fromLatin1(GraphEditor::kMimeType))) {
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (mime->hasFormat(QString::fromLatin1(GraphEditor::kMimeType))) {
        const QStringList ids = m_scene.editor().pasteFragment(
            mime->data(QString::fromLatin1(GraphEditor::kMimeType)), mapToScene(event->position().toPoint()));
        if (!ids.isEmpty()) m_scene.selectNodes(ids);
        event->acceptProposedAction();
        return;
    }
    if (mime->hasUrls()) {
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile()) emit fileDropped(url.toLocalFile());
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dropEvent(event);
}

}  // namespace sv::ui
