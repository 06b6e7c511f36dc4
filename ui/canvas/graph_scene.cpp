#include "canvas/graph_scene.h"

#include <QApplication>
#include <QGraphicsPathItem>
#include <QGraphicsProxyWidget>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsView>
#include <QPainter>
#include <QPainterPathStroker>
#include <QToolTip>

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

GraphScene::GraphScene(GraphEditor& editor, QObject* parent) : QGraphicsScene(parent), m_editor(editor) {
    setSceneRect(-kSceneExtent / 2, -kSceneExtent / 2, kSceneExtent, kSceneExtent);
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    GraphModel& m = model();
    connect(&m, &GraphModel::reset, this, &GraphScene::rebuildAll);
    connect(&m, &GraphModel::nodeAdded, this, &GraphScene::addNodeItem);
    connect(&m, &GraphModel::nodeRemoved, this, [this](const QString& id) {
        if (m_linkDrag && m_linkDrag->origin && m_linkDrag->origin->nodeId() == id) m_linkDrag.reset();
        if (m_linkDrag && m_linkDrag->target && m_linkDrag->target->nodeId() == id)
            m_linkDrag->target = nullptr;
        m_nodes.erase(id);
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
        const auto it = m_links.find(linkKey(l.to));
        if (it != m_links.end() && it->second->link() == l) m_links.erase(it);
        for (const std::string& id : {l.from.node, l.to.node})
            if (NodeItem* n = nodeItem(GraphModel::qs(id))) n->syncState();
    });
    rebuildAll();
}

GraphScene::~GraphScene() {
    // Items go before the QGraphicsScene base (each removes itself from the scene), quietly.
    blockSignals(true);
    m_linkDrag.reset();
    m_cut.reset();
    m_links.clear();
    m_nodes.clear();
}

GraphModel& GraphScene::model() {
    return m_editor.model();
}

void GraphScene::rebuildAll() {
    m_linkDrag.reset();
    m_nodeDrag.reset();
    m_cut.reset();
    m_links.clear();
    m_nodes.clear();
    for (const QString& id : model().nodeIds()) addNodeItem(id);
    for (const sp::GraphLink& l : model().document().links()) addLinkItem(l);
}

void GraphScene::addNodeItem(const QString& id) {
    if (m_nodes.contains(id)) return;
    auto item = std::make_unique<NodeItem>(
        id, model(), [this](const QString& node, const QString& param, const QVariant& v, bool final) {
            m_editor.setParam(node, param, v, final);
        });
    addItem(item.get());
    m_nodes.emplace(id, std::move(item));
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
    m_links[linkKey(link.to)] = std::move(item);
}

void GraphScene::updateLink(LinkItem& item) {
    const sp::GraphLink& l = *item.link();
    item.setEnds(portScenePos(l.from, PortSide::Out), portScenePos(l.to, PortSide::In));
}

void GraphScene::updateLinksOf(const QString& nodeId) {
    const std::string id = GraphModel::ss(nodeId);
    for (auto& [key, item] : m_links)
        if (item->link()->from.node == id || item->link()->to.node == id) updateLink(*item);
}

void GraphScene::refreshNode(const QString& id) {
    NodeItem* n = nodeItem(id);
    if (!n) return;
    n->syncPosition();
    n->syncState();
    updateLinksOf(id);
}

NodeItem* GraphScene::nodeItem(const QString& id) const {
    const auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : it->second.get();
}

LinkItem* GraphScene::linkItem(const sp::GraphLink& link) const {
    const auto it = m_links.find(linkKey(link.to));
    return it != m_links.end() && it->second->link() == link ? it->second.get() : nullptr;
}

QStringList GraphScene::selectedNodeIds() const {
    QStringList ids;
    // Document order, so copies and commands are deterministic.
    for (const QString& id : m_editor.model().nodeIds())
        if (const NodeItem* n = nodeItem(id); n && n->isSelected()) ids << id;
    return ids;
}

std::vector<sp::GraphLink> GraphScene::selectedLinks() const {
    std::vector<sp::GraphLink> out;
    for (const sp::GraphLink& l : m_editor.model().document().links())
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
    for (const auto& [id, item] : m_nodes)
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
        m_cut.emplace();
        m_cut->stroke << pos;
        m_cut->line = std::make_unique<QGraphicsPathItem>();
        m_cut->line->setPen(QPen(canvasColors().cutLine, 1.5, Qt::DashLine));
        m_cut->line->setZValue(zorder::kDraft);
        addItem(m_cut->line.get());
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
            m_nodeDrag.emplace();
            m_nodeDrag->serial = m_editor.beginDrag();
            m_nodeDrag->start = pos;
            for (const QString& id : selectedNodeIds()) m_nodeDrag->origins.insert(id, model().position(id));
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
    if (m_linkDrag) {
        updateLinkDrag(event);
        return;
    }
    if (m_cut) {
        updateCut(event->scenePos());
        return;
    }
    if (m_nodeDrag) {
        const QPointF delta = event->scenePos() - m_nodeDrag->start;
        if (!m_nodeDrag->moved && delta.manhattanLength() < QApplication::startDragDistance()) return;
        m_nodeDrag->moved = true;
        QHash<QString, QPointF> target;
        for (auto it = m_nodeDrag->origins.begin(); it != m_nodeDrag->origins.end(); ++it)
            target.insert(it.key(), it.value() + delta);
        m_editor.moveNodes(target, m_nodeDrag->serial);
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
    if (m_linkDrag && event->button() == Qt::LeftButton) {
        finishLinkDrag(event);
        return;
    }
    if (m_cut && event->button() == Qt::LeftButton) {
        finishCut();
        return;
    }
    if (m_nodeDrag && event->button() == Qt::LeftButton) {
        m_nodeDrag.reset();
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
    m_linkDrag.emplace();
    LinkDrag& d = *m_linkDrag;
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
    const LinkDrag& d = *m_linkDrag;
    if (target->side() == d.origin->side())
        return target->side() == PortSide::In ? tr("Connect an output to an input")
                                              : tr("Connect an input to an output");
    const sp::PortRef from = d.origin->side() == PortSide::Out ? d.origin->ref() : target->ref();
    const sp::PortRef to = d.origin->side() == PortSide::Out ? target->ref() : d.origin->ref();
    if (d.detached) {
        if (to == d.detached->to) return std::nullopt;
        sp::GraphDocument probe = m_editor.model().document();
        probe.removeLink(*d.detached);
        if (auto why = sp::checkConnection(probe, m_editor.model().registry(), from, to))
            return GraphModel::qs(*why);
        return std::nullopt;
    }
    return m_editor.model().checkConnection(from, to);
}

void GraphScene::updateLinkDrag(QGraphicsSceneMouseEvent* event) {
    LinkDrag& d = *m_linkDrag;
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
    LinkDrag d = std::move(*m_linkDrag);
    m_linkDrag.reset();
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
            m_editor.relink(*d.detached, to);
        } else {
            m_editor.connectPorts(from, to);
        }
        return;
    }
    if (d.detached) {
        m_editor.disconnectInput(d.detached->to);  // dropped on empty canvas: the link goes away
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
    m_cut->stroke << scenePos;
    QPainterPath path;
    path.addPolygon(m_cut->stroke);
    m_cut->line->setPath(path);
    const QPainterPath area = cutArea(m_cut->stroke);
    for (auto& [key, item] : m_links) item->setMarked(item->shape().intersects(area));
}

void GraphScene::finishCut() {
    const QPainterPath area = cutArea(m_cut->stroke);
    std::vector<sp::GraphLink> cut;
    for (const sp::GraphLink& l : model().document().links())  // document order: deterministic commands
        if (LinkItem* item = linkItem(l); item && item->shape().intersects(area)) cut.push_back(l);
    for (auto& [key, item] : m_links) item->setMarked(false);
    m_cut.reset();
    m_editor.removeLinks(cut);
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
