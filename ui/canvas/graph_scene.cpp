#include "canvas/graph_scene.h"

#include <QApplication>
#include <QGraphicsPathItem>
#include <QGraphicsProxyWidget>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsView>
#include <QPainter>
#include <QPainterPathStroker>
#include <QToolTip>

#include <algorithm>
#include <cmath>

#include "app/graph_editor.h"
#include "app/theme.h"
#include "canvas/link_item.h"
#include "canvas/node_item.h"
#include "canvas/port_item.h"

namespace sv::ui {

namespace {

QString linkKey(const sp::PortRef& to) {
    return GraphModel::qs(to.node) + QChar(0x1f) + GraphModel::qs(to.port);
}

constexpr qreal kSceneExtent = 100000.0;
constexpr qreal kGrid = 20.0;

}  // namespace

GraphScene::GraphScene(GraphEditor& editor, QObject* parent) : QGraphicsScene(parent), editor_(editor) {
    setSceneRect(-kSceneExtent / 2, -kSceneExtent / 2, kSceneExtent, kSceneExtent);
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    GraphModel& m = model();
    connect(&m, &GraphModel::reset, this, &GraphScene::rebuildAll);
    connect(&m, &GraphModel::nodeAdded, this, &GraphScene::addNodeItem);
    connect(&m, &GraphModel::nodeRemoved, this, [this](const QString& id) {
        if (linkDrag_ && linkDrag_->origin && linkDrag_->origin->nodeId() == id) linkDrag_.reset();
        if (linkDrag_ && linkDrag_->target && linkDrag_->target->nodeId() == id) linkDrag_->target = nullptr;
        nodes_.erase(id);
    });
    connect(&m, &GraphModel::paramChanged, this, [this](const QString& id, const QString& name) {
        if (NodeItem* n = nodeItem(id)) n->syncParam(name);
    });
    connect(&m, &GraphModel::bypassChanged, this, &GraphScene::refreshNode);
    connect(&m, &GraphModel::uiDataChanged, this, &GraphScene::refreshNode);
    connect(&m, &GraphModel::statusChanged, this, [this](const QString& id) {
        if (NodeItem* n = nodeItem(id)) n->syncState();
    });
    connect(&m, &GraphModel::linkAdded, this, [this](const sp::GraphLink& l) {
        addLinkItem(l);
        for (const std::string& id : {l.from.node, l.to.node}) {
            NodeItem* n = nodeItem(GraphModel::qs(id));
            if (!n) continue;
            if (!model().descriptor(n->id())) {
                n->rebuild();  // an unknown type shows the ports its links use
                updateLinksOf(n->id());
            }
            n->syncState();
        }
    });
    connect(&m, &GraphModel::linkRemoved, this, [this](const sp::GraphLink& l) {
        const auto it = links_.find(linkKey(l.to));
        if (it != links_.end() && it->second->link() == l) links_.erase(it);
        for (const std::string& id : {l.from.node, l.to.node})
            if (NodeItem* n = nodeItem(GraphModel::qs(id))) n->syncState();
    });
    rebuildAll();
}

GraphScene::~GraphScene() {
    // Items go before the QGraphicsScene base (each removes itself from the scene), quietly.
    blockSignals(true);
    linkDrag_.reset();
    cut_.reset();
    links_.clear();
    nodes_.clear();
}

GraphModel& GraphScene::model() {
    return editor_.model();
}

void GraphScene::rebuildAll() {
    linkDrag_.reset();
    nodeDrag_.reset();
    cut_.reset();
    links_.clear();
    nodes_.clear();
    for (const QString& id : model().nodeIds()) addNodeItem(id);
    for (const sp::GraphLink& l : model().document().links()) addLinkItem(l);
}

void GraphScene::addNodeItem(const QString& id) {
    if (nodes_.contains(id)) return;
    auto item = std::make_unique<NodeItem>(
        id, model(),
        [this](const QString& node, const QString& param, const QVariant& v, bool final) {
            editor_.setParam(node, param, v, final);
        },
        [this](const QString& text) { emit hint(text); });
    addItem(item.get());
    nodes_.emplace(id, std::move(item));
}

void GraphScene::addLinkItem(const sp::GraphLink& link) {
    auto item = std::make_unique<LinkItem>(link);
    const QString fromNode = GraphModel::qs(link.from.node);
    QString type = QStringLiteral("ANY");
    QColor color = portTypeColor(type);
    if (auto p = model().port(fromNode, PortSide::Out, GraphModel::qs(link.from.port))) {
        type = p->typeName;
        color = p->color;
    }
    item->setColor(color);
    item->setToolTip(QStringLiteral("%1.%2 → %3.%4 (%5)")
                         .arg(fromNode, GraphModel::qs(link.from.port), GraphModel::qs(link.to.node),
                              GraphModel::qs(link.to.port), type));
    updateLink(*item);
    addItem(item.get());
    links_[linkKey(link.to)] = std::move(item);
}

void GraphScene::updateLink(LinkItem& item) {
    const sp::GraphLink& l = *item.link();
    item.setEnds(portScenePos(l.from, PortSide::Out), portScenePos(l.to, PortSide::In));
}

void GraphScene::updateLinksOf(const QString& nodeId) {
    const std::string id = GraphModel::ss(nodeId);
    for (auto& [key, item] : links_)
        if (item->link()->from.node == id || item->link()->to.node == id) updateLink(*item);
}

void GraphScene::refreshNode(const QString& id) {
    NodeItem* n = nodeItem(id);
    if (!n) return;
    // A parameter moved to or from the node changes its layout.
    QStringList onNode;
    if (const sp::NodeDescriptor* d = model().descriptor(id))
        for (const sp::ParamSpec& p : d->params)
            if (model().isParamOnNode(id, GraphModel::qs(p.name))) onNode << GraphModel::qs(p.name);
    if (onNode != n->geometry().inlineParams()) n->rebuild();
    n->syncPosition();
    n->syncState();
    updateLinksOf(id);
}

// ---- placing new nodes
// ------------------------------------------------------------------------------------------

QPointF GraphScene::freeSpot(QPointF preferred, QSizeF size) const {
    // Candidates on a grid around the preferred spot, nearest first; the first that overlaps no node (with a
    // margin for badges and links) wins.
    constexpr qreal kMargin = 30.0;
    auto overlaps = [&](QPointF at) {
        const QRectF r(at - QPointF(kMargin, kMargin), size + QSizeF(2 * kMargin, 2 * kMargin));
        for (const auto& [id, item] : nodes_)
            if (item->sceneBoundingRect().intersects(r)) return true;
        return false;
    };
    if (!overlaps(preferred)) return preferred;
    const qreal stepX = kGrid * 4, stepY = kGrid * 4;
    for (int ring = 1; ring < 60; ++ring) {
        QList<QPointF> candidates;
        for (int i = -ring; i <= ring; ++i)
            for (int j = -ring; j <= ring; ++j)
                if (std::max(std::abs(i), std::abs(j)) == ring)
                    candidates << preferred + QPointF(i * stepX, j * stepY);
        std::sort(candidates.begin(), candidates.end(), [&](QPointF a, QPointF b) {
            // Nearest first; at equal distance, right of and below the preferred spot first.
            const qreal da = QLineF(a, preferred).length(), db = QLineF(b, preferred).length();
            if (std::abs(da - db) > 0.5) return da < db;
            return std::make_pair(a.x() < preferred.x(), a.y() < preferred.y()) <
                   std::make_pair(b.x() < preferred.x(), b.y() < preferred.y());
        });
        for (QPointF c : candidates)
            if (!overlaps(c)) return c;
    }
    return preferred;
}

QPointF GraphScene::placeNode(QSizeF size, QPointF fallback) const {
    // Beside the selection (to its right, top-aligned), else at the fallback; then on free canvas.
    const QRectF selected = nodesBoundingRect(selectedNodeIds());
    const QPointF preferred = selected.isNull() ? fallback : QPointF(selected.right() + 60, selected.top());
    return freeSpot(preferred, size);
}

NodeItem* GraphScene::nodeItem(const QString& id) const {
    const auto it = nodes_.find(id);
    return it == nodes_.end() ? nullptr : it->second.get();
}

LinkItem* GraphScene::linkItem(const sp::GraphLink& link) const {
    const auto it = links_.find(linkKey(link.to));
    return it != links_.end() && it->second->link() == link ? it->second.get() : nullptr;
}

QStringList GraphScene::selectedNodeIds() const {
    QStringList ids;
    // Document order, so copies and commands are deterministic.
    for (const QString& id : editor_.model().nodeIds())
        if (const NodeItem* n = nodeItem(id); n && n->isSelected()) ids << id;
    return ids;
}

std::vector<sp::GraphLink> GraphScene::selectedLinks() const {
    std::vector<sp::GraphLink> out;
    for (const sp::GraphLink& l : editor_.model().document().links())
        if (const LinkItem* item = linkItem(l); item && item->isSelected()) out.push_back(l);
    return out;
}

void GraphScene::selectNodes(const QStringList& ids) {
    clearSelection();
    for (const QString& id : ids)
        if (NodeItem* n = nodeItem(id)) n->setSelected(true);
}

QRectF GraphScene::nodesBoundingRect(const QStringList& ids) const {
    QRectF r;
    for (const auto& [id, item] : nodes_)
        if (ids.isEmpty() || ids.contains(id)) r = r.united(item->sceneBoundingRect());
    return r;
}

QPointF GraphScene::portScenePos(const sp::PortRef& ref, PortSide side) const {
    if (const NodeItem* n = nodeItem(GraphModel::qs(ref.node)))
        return n->portScenePos(side, GraphModel::qs(ref.port));
    return {};
}

// ---- hit testing
// ------------------------------------------------------------------------------------------------

PortItem* GraphScene::portAt(QPointF scenePos) const {
    for (QGraphicsItem* item : items(scenePos))
        if (item->type() == PortItem::Type) return static_cast<PortItem*>(item);
    return nullptr;
}

bool GraphScene::overWidget(QPointF scenePos) const {
    const QList<QGraphicsItem*> hits = items(scenePos);
    if (hits.isEmpty()) return false;
    for (QGraphicsItem* item = hits.first(); item; item = item->parentItem())
        if (item->isWidget()) return true;
    return false;
}

// ---- mouse
// ------------------------------------------------------------------------------------------------------

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
    if (event->button() != Qt::LeftButton || overWidget(event->scenePos())) {
        QGraphicsScene::mousePressEvent(event);
        return;
    }
    const QPointF pos = event->scenePos();
    if (focusItem()) setFocusItem(nullptr);  // leave any inline editor: canvas keys work again
    if (PortItem* port = portAt(pos)) {
        startLinkDrag(port);
        updateLinkDrag(event);
        event->accept();
        return;
    }
    QGraphicsItem* top = nullptr;
    for (QGraphicsItem* item : items(pos)) {
        if (item->type() == NodeItem::Type || item->type() == LinkItem::Type) {
            top = item;
            break;
        }
    }
    const Qt::KeyboardModifiers mods = event->modifiers();
    if (!top && (mods & Qt::ControlModifier)) {
        // Ctrl+drag on empty canvas: cut links.
        cut_.emplace();
        cut_->stroke << pos;
        cut_->line = std::make_unique<QGraphicsPathItem>();
        cut_->line->setPen(QPen(canvasColors().cutLine, 1.5, Qt::DashLine));
        cut_->line->setZValue(zorder::kDraft);
        addItem(cut_->line.get());
        event->accept();
        return;
    }
    if (top && top->type() == NodeItem::Type) {
        auto* node = static_cast<NodeItem*>(top);
        if (mods & (Qt::ShiftModifier | Qt::ControlModifier)) {
            node->setSelected((mods & Qt::ControlModifier) ? !node->isSelected() : true);
        } else if (!node->isSelected()) {
            clearSelection();
            node->setSelected(true);
        }
        if (node->isSelected()) {
            nodeDrag_.emplace();
            nodeDrag_->serial = editor_.beginDrag();
            nodeDrag_->start = pos;
            for (const QString& id : selectedNodeIds()) nodeDrag_->origins.insert(id, model().position(id));
        }
        event->accept();
        return;
    }
    if (top && top->type() == LinkItem::Type) {
        if (!(mods & (Qt::ShiftModifier | Qt::ControlModifier))) clearSelection();
        top->setSelected(!(mods & Qt::ControlModifier) || !top->isSelected());
        event->accept();
        return;
    }
    if (!(mods & (Qt::ShiftModifier | Qt::ControlModifier))) clearSelection();
    QGraphicsScene::mousePressEvent(event);  // not accepted → the view starts a rubber band
    event->ignore();
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
    if (linkDrag_) {
        updateLinkDrag(event);
        return;
    }
    if (cut_) {
        updateCut(event->scenePos());
        return;
    }
    if (nodeDrag_) {
        const QPointF delta = event->scenePos() - nodeDrag_->start;
        if (!nodeDrag_->moved && delta.manhattanLength() < QApplication::startDragDistance()) return;
        nodeDrag_->moved = true;
        QHash<QString, QPointF> target;
        for (auto it = nodeDrag_->origins.begin(); it != nodeDrag_->origins.end(); ++it)
            target.insert(it.key(), it.value() + delta);
        editor_.moveNodes(target, nodeDrag_->serial);
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
    if (linkDrag_ && event->button() == Qt::LeftButton) {
        finishLinkDrag(event);
        return;
    }
    if (cut_ && event->button() == Qt::LeftButton) {
        finishCut();
        return;
    }
    if (nodeDrag_ && event->button() == Qt::LeftButton) {
        nodeDrag_.reset();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
}

void GraphScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) {
    if (event->button() == Qt::LeftButton && !overWidget(event->scenePos())) {
        bool empty = true;
        for (QGraphicsItem* item : items(event->scenePos()))
            if (item->type() == NodeItem::Type || item->type() == PortItem::Type ||
                item->type() == LinkItem::Type)
                empty = false;
        if (empty) {
            emit paletteRequested(event->screenPos(), event->scenePos(), std::nullopt);
            event->accept();
            return;
        }
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

// ---- link dragging
// ----------------------------------------------------------------------------------------------

void GraphScene::startLinkDrag(PortItem* port) {
    linkDrag_.emplace();
    LinkDrag& d = *linkDrag_;
    d.origin = port;
    if (port->side() == PortSide::In) {
        if (const sp::GraphLink* l = model().document().inputLink(port->ref().node, port->ref().port)) {
            // Pull the link off its input: the drag continues from its output.
            d.detached = *l;
            if (LinkItem* item = linkItem(*l)) item->setVisible(false);
            if (NodeItem* from = nodeItem(GraphModel::qs(l->from.node)))
                d.origin = from->port(PortSide::Out, GraphModel::qs(l->from.port));
            if (!d.origin) d.origin = port;
        }
    }
    d.draft = std::make_unique<LinkItem>(std::nullopt);
    d.draft->setColor(d.origin->info().color);
    addItem(d.draft.get());
}

std::optional<QString> GraphScene::checkTarget(PortItem* target) const {
    const LinkDrag& d = *linkDrag_;
    if (target->side() == d.origin->side())
        return target->side() == PortSide::In ? tr("Connect an output to an input")
                                              : tr("Connect an input to an output");
    const sp::PortRef from = d.origin->side() == PortSide::Out ? d.origin->ref() : target->ref();
    const sp::PortRef to = d.origin->side() == PortSide::Out ? target->ref() : d.origin->ref();
    if (d.detached) {
        if (to == d.detached->to) return std::nullopt;
        sp::GraphDocument probe = editor_.model().document();
        probe.removeLink(*d.detached);
        if (auto why = sp::checkConnection(probe, editor_.model().registry(), from, to))
            return GraphModel::qs(*why);
        return std::nullopt;
    }
    return editor_.model().checkConnection(from, to);
}

void GraphScene::updateLinkDrag(QGraphicsSceneMouseEvent* event) {
    LinkDrag& d = *linkDrag_;
    const QPointF mouse = event->scenePos();
    PortItem* target = portAt(mouse);
    if (target == d.origin) target = nullptr;
    if (target != d.target) {
        if (d.target) d.target->setFeedback(0);
        d.target = target;
        d.refusal = target ? checkTarget(target) : std::nullopt;
        if (target) target->setFeedback(d.refusal ? -1 : 1);
        if (d.refusal) {
            QToolTip::showText(event->screenPos(), *d.refusal);
        } else {
            QToolTip::hideText();
        }
    }
    const QPointF fixed = d.origin->scenePos();
    const QPointF loose = target ? target->scenePos() : mouse;
    if (d.origin->side() == PortSide::Out) {
        d.draft->setEnds(fixed, loose);
    } else {
        d.draft->setEnds(loose, fixed);
    }
    d.draft->setRefused(d.refusal.has_value());
}

void GraphScene::finishLinkDrag(QGraphicsSceneMouseEvent* event) {
    LinkDrag d = std::move(*linkDrag_);
    linkDrag_.reset();
    if (d.target) d.target->setFeedback(0);
    if (d.detached)
        if (LinkItem* item = linkItem(*d.detached)) item->setVisible(true);
    QToolTip::hideText();

    if (d.target) {
        if (d.refusal) {
            QToolTip::showText(event->screenPos(), *d.refusal);
            emit connectionRefused(*d.refusal);
            return;
        }
        const sp::PortRef from = d.origin->side() == PortSide::Out ? d.origin->ref() : d.target->ref();
        const sp::PortRef to = d.origin->side() == PortSide::Out ? d.target->ref() : d.origin->ref();
        if (d.detached) {
            editor_.relink(*d.detached, to);
        } else {
            editor_.connectPorts(from, to);
        }
        return;
    }
    if (d.detached) {
        editor_.disconnectInput(d.detached->to);  // dropped on empty canvas: the link goes away
        return;
    }
    // Dropped on empty canvas: offer node types that fit the dangling end.
    if (QGraphicsItem* under = itemAt(event->scenePos(), QTransform());
        under && under->type() == NodeItem::Type)
        return;
    emit paletteRequested(event->screenPos(), event->scenePos(),
                          PendingLink{d.origin->ref(), d.origin->side(), d.origin->info().typeName});
}

// ---- cut links
// --------------------------------------------------------------------------------------------------

namespace {
QPainterPath cutArea(const QPolygonF& stroke) {
    QPainterPath path;
    path.addPolygon(stroke);
    QPainterPathStroker stroker;
    stroker.setWidth(2.0);
    return stroker.createStroke(path);
}
}  // namespace

void GraphScene::updateCut(QPointF scenePos) {
    cut_->stroke << scenePos;
    QPainterPath path;
    path.addPolygon(cut_->stroke);
    cut_->line->setPath(path);
    const QPainterPath area = cutArea(cut_->stroke);
    for (auto& [key, item] : links_) item->setMarked(item->shape().intersects(area));
}

void GraphScene::finishCut() {
    const QPainterPath area = cutArea(cut_->stroke);
    std::vector<sp::GraphLink> cut;
    for (const sp::GraphLink& l : model().document().links())  // document order: deterministic commands
        if (LinkItem* item = linkItem(l); item && item->shape().intersects(area)) cut.push_back(l);
    for (auto& [key, item] : links_) item->setMarked(false);
    cut_.reset();
    editor_.removeLinks(cut);
}

// ---- background
// -------------------------------------------------------------------------------------------------

void GraphScene::drawBackground(QPainter* painter, const QRectF& rect) {
    const CanvasColors& c = canvasColors();
    painter->fillRect(rect, c.background);
    const qreal scale = painter->worldTransform().m11();
    if (scale < 0.35) return;  // too dense to be useful
    const qreal left = std::floor(rect.left() / kGrid) * kGrid, top = std::floor(rect.top() / kGrid) * kGrid;
    QVarLengthArray<QLineF, 256> minor, major;
    for (qreal x = left; x < rect.right(); x += kGrid)
        (std::fmod(std::abs(x), kGrid * 5) < 0.5 ? major : minor)
            .append(QLineF(x, rect.top(), x, rect.bottom()));
    for (qreal y = top; y < rect.bottom(); y += kGrid)
        (std::fmod(std::abs(y), kGrid * 5) < 0.5 ? major : minor)
            .append(QLineF(rect.left(), y, rect.right(), y));
    painter->setPen(QPen(c.gridMinor, 0));
    painter->drawLines(minor.data(), int(minor.size()));
    painter->setPen(QPen(c.gridMajor, 0));
    painter->drawLines(major.data(), int(major.size()));
}

}  // namespace sv::ui
