#include "canvas/graph_view.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QFileInfo>
#include <QGraphicsProxyWidget>
#include <QMenu>
#include <QMimeData>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "app/graph_editor.h"
#include "app/theme.h"
#include "canvas/node_geometry.h"
#include "canvas/node_item.h"

namespace sv::ui {

namespace {
constexpr qreal kMinZoom = 0.1;
constexpr qreal kMaxZoom = 4.0;
constexpr qreal kFrameMaxZoom = 1.25;
constexpr qreal kFrameMargin = 60.0;
}  // namespace

GraphView::GraphView(GraphScene& scene, QWidget* parent) : QGraphicsView(&scene, parent), scene_(scene) {
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

    palette_ = new NodePalette(this);
    connect(palette_, &NodePalette::nodeChosen, this, [this](const QString& typeId) {
        // At the cursor, moved aside when that would cover a node.
        GraphEditor& editor = scene_.editor();
        const QPointF at = freeSpotFor(typeId, paletteScenePos_);
        const QString id = palettePending_ ? editor.addNodeConnected(typeId, at, palettePending_->port,
                                                                     palettePending_->side)
                                           : editor.addNode(typeId, at);
        if (!id.isEmpty()) scene_.selectNodes({id});
        palettePending_.reset();
        setFocus();
    });
    connect(palette_, &NodePalette::dismissed, this, [this] {
        palettePending_.reset();
        window()->activateWindow();  // the canvas has the keyboard again
        setFocus();
    });
    connect(&scene_, &GraphScene::paletteRequested, this,
            [this](const QPoint&, const QPointF& scenePos, std::optional<PendingLink> pending) {
                openPalette(mapFromScene(scenePos), std::move(pending));
            });
    connect(&scene_, &GraphScene::hint, this, &GraphView::hintMessage);
    // The empty-canvas hint covers the whole viewport: repaint it all when it appears or goes.
    GraphModel& model = scene_.editor().model();
    auto repaint = [this] { viewport()->update(); };
    connect(&model, &GraphModel::nodeAdded, this, repaint);
    connect(&model, &GraphModel::nodeRemoved, this, repaint);
    connect(&model, &GraphModel::reset, this, repaint);
    createActions();
    // Inline editors get their keys: a proxied widget re-sends key presses through QApplication, which would
    // try the canvas shortcuts (Delete, D, ...) a second time, so they are switched off while one has the
    // focus.
    connect(&scene_, &QGraphicsScene::focusItemChanged, this, [this](QGraphicsItem* now) {
        const bool editing = now && now->isWidget();
        for (QAction* a : {actions_.addNode, actions_.remove, actions_.cut, actions_.copy, actions_.paste,
                           actions_.duplicate, actions_.selectAll, actions_.bypass, actions_.view,
                           actions_.frame, actions_.frameAll})
            a->setEnabled(!editing);
    });
}

GraphView::~GraphView() = default;

QPointF GraphView::freeSpotFor(const QString& typeId, QPointF topLeft) const {
    const sp::NodeDescriptor* d = scene_.editor().model().registry().find(GraphModel::ss(typeId));
    if (!d) return topLeft;
    return scene_.freeSpot(topLeft, NodeGeometry::forType(*d).body().size());
}

QString GraphView::addNodeBesideSelection(const QString& typeId) {
    const sp::NodeDescriptor* d = scene_.editor().model().registry().find(GraphModel::ss(typeId));
    if (!d) return scene_.editor().addNode(typeId, mapToScene(viewport()->rect().center()));  // says why not
    const QSizeF size = NodeGeometry::forType(*d).body().size();
    const QPointF centre = mapToScene(viewport()->rect().center());
    const QPointF at = scene_.placeNode(size, centre - QPointF(size.width() / 2, size.height() / 2));
    const QString id = scene_.editor().addNode(typeId, at);
    if (id.isEmpty()) return id;
    scene_.selectNodes({id});
    // Keep the new node in sight.
    if (const NodeItem* n = scene_.nodeItem(id);
        n && !mapToScene(viewport()->rect()).boundingRect().contains(n->sceneBoundingRect()))
        centerOn(n->sceneBoundingRect().center());
    return id;
}

void GraphView::frameAllWhenReady() {
    autoFrame_ = true;
    frameAll();
}

QString GraphView::emptyHint() const {
    if (scene_.nodeItemCount() > 0) return {};
    return tr(
        "This graph is empty.\n\n"
        "Tab or double-click: add a node\n"
        "File ▸ New from Template: a ready-made text- or image-to-video graph\n"
        "Drop a graph (.json) or a video made here to open its graph");
}

void GraphView::drawForeground(QPainter* painter, const QRectF& rect) {
    QGraphicsView::drawForeground(painter, rect);
    const QString hint = emptyHint();
    if (hint.isEmpty()) return;
    painter->save();
    painter->resetTransform();  // viewport coordinates
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() + 2);
    painter->setFont(f);
    painter->setPen(canvasColors().nodeSubtleText);
    painter->drawText(viewport()->rect().adjusted(40, 40, -40, -40), Qt::AlignCenter | Qt::TextWordWrap,
                      hint);
    painter->restore();
}

void GraphView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    // A graph just opened is framed again while the window settles (docks restored, first show).
    if (autoFrame_) frameAll();
}

void GraphView::createActions() {
    auto make = [this](const QString& text, QList<QKeySequence> keys, auto slot) {
        auto* a = new QAction(text, this);
        a->setShortcuts(keys);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    GraphEditor& ed = scene_.editor();
    actions_.addNode = make(tr("Add Node…"), {QKeySequence(Qt::SHIFT | Qt::Key_A)},
                            [this] { openPalette(mapFromScene(insertionPoint())); });
    actions_.remove = make(tr("Delete"), {QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)},
                           [this, &ed] { ed.removeItems(scene_.selectedNodeIds(), scene_.selectedLinks()); });
    actions_.cut = make(tr("Cut"), {QKeySequence::Cut}, [this, &ed] {
        const QStringList ids = scene_.selectedNodeIds();
        ed.copy(ids);
        ed.removeItems(ids, scene_.selectedLinks());
    });
    actions_.copy =
        make(tr("Copy"), {QKeySequence::Copy}, [this, &ed] { ed.copy(scene_.selectedNodeIds()); });
    actions_.paste = make(tr("Paste"), {QKeySequence::Paste}, [this, &ed] {
        const QStringList ids = ed.paste(insertionPoint());
        if (!ids.isEmpty()) scene_.selectNodes(ids);
    });
    actions_.duplicate = make(tr("Duplicate"), {QKeySequence(Qt::CTRL | Qt::Key_D)}, [this, &ed] {
        const QStringList ids = ed.duplicate(scene_.selectedNodeIds());
        if (!ids.isEmpty()) scene_.selectNodes(ids);
    });
    actions_.selectAll = make(tr("Select All"), {QKeySequence::SelectAll},
                              [this] { scene_.selectNodes(scene_.editor().model().nodeIds()); });
    actions_.bypass = make(tr("Toggle Bypass"), {QKeySequence(Qt::Key_D)},
                           [this, &ed] { ed.toggleBypass(scene_.selectedNodeIds()); });
    actions_.view = make(tr("Toggle View Flag"), {QKeySequence(Qt::Key_V)}, [this, &ed] {
        const QStringList ids = scene_.selectedNodeIds();
        if (ids.size() == 1) ed.setViewed(ids.first());
    });
    actions_.frame = make(tr("Frame Selected"), {QKeySequence(Qt::Key_F)}, [this] { frameSelection(); });
    actions_.frameAll = make(tr("Frame All"), {QKeySequence(Qt::Key_Home)}, [this] { frameAll(); });
}

QPointF GraphView::insertionPoint() const {
    const QPoint cursor = viewport()->mapFromGlobal(QCursor::pos());
    if (viewport()->rect().contains(cursor)) return mapToScene(cursor);
    return mapToScene(viewport()->rect().center());
}

QList<PaletteEntry> GraphView::paletteEntries(const std::optional<PendingLink>& pending) const {
    const GraphModel& model = scene_.editor().model();
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
    paletteScenePos_ = mapToScene(viewPos);
    const QString title = pending ? tr("Connect to %1").arg(pending->typeName) : QString();
    const auto entries = paletteEntries(pending);
    palettePending_ = std::move(pending);
    palette_->popup(viewport()->mapToGlobal(viewPos), entries, title);
}

void GraphView::fitRect(const QRectF& rect) {
    if (rect.isEmpty()) return;
    fitInView(rect.adjusted(-kFrameMargin, -kFrameMargin, kFrameMargin, kFrameMargin), Qt::KeepAspectRatio);
    if (zoom() > kFrameMaxZoom) setZoom(kFrameMaxZoom);
    centerOn(rect.center());
}

void GraphView::frameSelection() {
    autoFrame_ = false;
    const QStringList ids = scene_.selectedNodeIds();
    fitRect(scene_.nodesBoundingRect(ids));
}

void GraphView::frameAll() {
    fitRect(scene_.nodesBoundingRect());
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
    autoFrame_ = false;
    const qreal steps = event->angleDelta().y() / 120.0;
    if (steps == 0) return;
    setZoom(zoom() * std::pow(1.15, steps), event->position().toPoint());
    event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
    autoFrame_ = false;
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && spaceHeld_)) {
        panning_ = true;
        panLast_ = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event) {
    if (panning_) {
        const QPoint p = event->position().toPoint();
        const QPoint d = p - panLast_;
        panLast_ = p;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
    if (panning_ && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        panning_ = false;
        viewport()->setCursor(spaceHeld_ ? Qt::OpenHandCursor : Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

bool GraphView::escape() {
    // An open popup of a node's editor (a dropdown's list, a menu) closes first, wherever the focus is.
    for (QGraphicsItem* item : scene_.items()) {
        auto* proxy = item->isWidget() ? dynamic_cast<QGraphicsProxyWidget*>(item) : nullptr;
        QWidget* popup = proxy ? proxy->widget() : nullptr;
        if (!popup || popup->windowType() != Qt::Popup || !popup->isVisible()) continue;
        if (auto* combo = qobject_cast<QComboBox*>(popup->parentWidget())) {
            combo->hidePopup();  // a dropdown's list belongs to its combo box
        } else {
            popup->close();  // a menu
        }
        return true;
    }
    if (!scene_.focusItem()) return false;
    // An edit on a node ends (a line edit commits on focus out); the canvas gets its keys back. (Focusing the
    // view first: a view gaining focus gives its scene's last focus item the focus again.)
    setFocus();
    scene_.setFocusItem(nullptr);
    return true;
}

void GraphView::keyPressEvent(QKeyEvent* event) {
    if (scene_.focusItem()) {  // an inline editor (or its popup) has the keyboard
        if (event->key() == Qt::Key_Escape && escape()) {
            event->accept();
            return;
        }
        QGraphicsView::keyPressEvent(event);
        return;
    }
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = true;
        viewport()->setCursor(Qt::OpenHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && spaceHeld_) {
        spaceHeld_ = false;
        if (!panning_) viewport()->setCursor(Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void GraphView::focusOutEvent(QFocusEvent* event) {
    spaceHeld_ = false;
    QGraphicsView::focusOutEvent(event);
}

bool GraphView::event(QEvent* event) {
    // While an inline parameter editor has the keyboard, keys are text: Delete, Backspace, D, Ctrl+A,
    // Ctrl+Z... edit the value instead of firing canvas shortcuts, and Escape closes its popup or ends the
    // edit instead of cancelling the run (keyPressEvent). Queueing (Ctrl+Enter) and Ctrl+. keep working.
    if (event->type() == QEvent::ShortcutOverride && scene_.focusItem()) {
        auto* key = static_cast<QKeyEvent*>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        const bool global =
            (enter || key->key() == Qt::Key_Period) && (key->modifiers() & Qt::ControlModifier);
        if (!global) {
            event->accept();
            return true;
        }
    }
    // Tab opens the palette (instead of moving focus) unless an inline editor has the keyboard.
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Tab && key->modifiers() == Qt::NoModifier && !scene_.focusItem()) {
            openPalette(mapFromScene(insertionPoint()));
            return true;
        }
    }
    return QGraphicsView::event(event);
}

namespace {
bool droppable(const QMimeData* mime) {
    return mime->hasUrls() || mime->hasFormat(QString::fromLatin1(GraphEditor::kMimeType)) ||
           mime->hasFormat(QString::fromLatin1(NodeList::kNodeTypeMime));
}
}  // namespace

void GraphView::dragEnterEvent(QDragEnterEvent* event) {
    if (droppable(event->mimeData())) {
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent* event) {
    if (droppable(event->mimeData())) {
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (mime->hasFormat(QString::fromLatin1(NodeList::kNodeTypeMime))) {
        // A node type dragged from the Nodes panel: added where it is dropped (aside if that covers a node).
        const QString typeId = QString::fromUtf8(mime->data(QString::fromLatin1(NodeList::kNodeTypeMime)));
        const QString id =
            scene_.editor().addNode(typeId, freeSpotFor(typeId, mapToScene(event->position().toPoint())));
        if (!id.isEmpty()) scene_.selectNodes({id});
        setFocus();
        event->acceptProposedAction();
        return;
    }
    if (mime->hasFormat(QString::fromLatin1(GraphEditor::kMimeType))) {
        const QStringList ids = scene_.editor().pasteFragment(
            mime->data(QString::fromLatin1(GraphEditor::kMimeType)), mapToScene(event->position().toPoint()));
        if (!ids.isEmpty()) scene_.selectNodes(ids);
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

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
    const QPointF scenePos = mapToScene(event->pos());
    NodeItem* node = nullptr;
    for (QGraphicsItem* item : scene_.items(scenePos)) {
        if (item->isWidget()) {  // an inline editor's own menu
            QGraphicsView::contextMenuEvent(event);
            return;
        }
        if (item->type() == NodeItem::Type) {
            node = static_cast<NodeItem*>(item);
            break;
        }
    }
    QMenu menu(this);
    if (node) {
        if (!node->isSelected()) scene_.selectNodes({node->id()});
        for (QAction* a : {actions_.view, actions_.bypass, actions_.duplicate, actions_.copy, actions_.cut,
                           actions_.remove})
            menu.addAction(a);
    } else {
        QAction* add = menu.addAction(tr("Add Node…"));
        connect(add, &QAction::triggered, this, [this, pos = event->pos()] { openPalette(pos); });
        menu.addAction(actions_.paste);
        menu.addSeparator();
        menu.addAction(actions_.selectAll);
        menu.addAction(actions_.frameAll);
    }
    menu.exec(event->globalPos());
}

}  // namespace sv::ui
