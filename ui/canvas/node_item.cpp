#include "canvas/node_item.h"

#include <QGraphicsProxyWidget>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include "canvas/node_painter.h"
#include "canvas/port_item.h"
#include "panels/param_widgets.h"

namespace sv::ui {

NodeItem::NodeItem(QString id, const GraphModel& model, ParamEdited onParamEdited)
    : m_id(std::move(id)), m_model(model), m_onParamEdited(std::move(onParamEdited)) {
    setFlag(ItemIsSelectable, true);
    setFlag(ItemSendsGeometryChanges, true);
    setAcceptHoverEvents(true);
    setZValue(zorder::kNodes);
    rebuild();
    syncPosition();
}

NodeItem::~NodeItem() = default;

void NodeItem::rebuild() {
    prepareGeometryChange();
    for (PortItem* p : m_ports) delete p;
    m_ports.clear();
    for (Inline& in : m_inline) delete in.proxy;  // deletes the editor with it
    m_inline.clear();

    m_geo = NodeGeometry::compute(m_model, m_id, NodeGeometry::titleFont(), NodeGeometry::labelFont());
    for (int i = 0; i < m_geo.inputs.size(); ++i) {
        auto* p = new PortItem(m_id, PortSide::In, m_geo.inputs[i], this);
        p->setPos(m_geo.inputPos(i));
        p->setConnected(m_model.isConnected(m_id, PortSide::In, m_geo.inputs[i].name));
        m_ports.push_back(p);
    }
    for (int i = 0; i < m_geo.outputs.size(); ++i) {
        auto* p = new PortItem(m_id, PortSide::Out, m_geo.outputs[i], this);
        p->setPos(m_geo.outputPos(i));
        p->setConnected(m_model.isConnected(m_id, PortSide::Out, m_geo.outputs[i].name));
        m_ports.push_back(p);
    }
    if (const sp::NodeDescriptor* d = m_model.descriptor(m_id)) {
        for (int i = 0; i < m_geo.inlineParams.size(); ++i) {
            const sp::ParamSpec* spec = d->findParam(GraphModel::ss(m_geo.inlineParams[i]));
            if (!spec) continue;
            ParamEditor* editor = createParamEditor(*spec, EditorSize::Compact);
            editor->setAttribute(Qt::WA_TranslucentBackground, true);
            editor->setMinimumSize(0, 0);
            const QRectF r = m_geo.paramWidgetRect(i);
            editor->setFixedSize(r.size().toSize());
            auto* proxy = new QGraphicsProxyWidget(this);
            proxy->setWidget(editor);
            proxy->setPos(r.topLeft());
            const QString name = m_geo.inlineParams[i];
            QObject::connect(editor, &ParamEditor::edited, editor,
                             [this, name](const QVariant& v, bool final) {
                                 if (m_onParamEdited) m_onParamEdited(m_id, name, v, final);
                             });
            m_inline.push_back({name, proxy, editor});
            syncParam(name);
        }
    }
    m_errorRect = NodePainter::errorRect(m_geo, m_model.status(m_id).state == NodeStatus::State::Error
                                                    ? m_model.status(m_id).message
                                                    : QString());
    update();
}

void NodeItem::syncPosition() {
    const QPointF p = m_model.position(m_id);
    if (p != pos()) setPos(p);
}

void NodeItem::syncParam(const QString& name) {
    for (const Inline& in : m_inline)
        if (in.name == name) in.editor->setValue(m_model.paramValue(m_id, name));
}

void NodeItem::syncState() {
    const NodeStatus st = m_model.status(m_id);
    const QRectF error =
        NodePainter::errorRect(m_geo, st.state == NodeStatus::State::Error ? st.message : QString());
    if (error != m_errorRect) {
        prepareGeometryChange();
        m_errorRect = error;
    }
    for (PortItem* p : m_ports) p->setConnected(m_model.isConnected(m_id, p->side(), p->info().name));
    update();
}

QRectF NodeItem::boundingRect() const {
    QRectF r = m_geo.body().adjusted(-2, -NodeGeometry::kBadgeHeight, 4, 5);  // badge above, shadow and pen
    if (!m_errorRect.isNull()) r = r.united(m_errorRect.adjusted(-1, -1, 1, 1));
    return r;
}

QPainterPath NodeItem::shape() const {
    QPainterPath p;
    p.addRoundedRect(m_geo.body(), NodeGeometry::kCorner, NodeGeometry::kCorner);
    return p;
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    NodePaintState s;
    s.title = m_model.title(m_id);
    s.category = m_model.category(m_id);
    s.selected = option->state & QStyle::State_Selected;
    s.bypassed = m_model.isBypassed(m_id);
    s.viewed = m_model.isViewed(m_id);
    s.unknownType = m_model.descriptor(m_id) == nullptr;
    s.status = m_model.status(m_id);
    if (const sp::NodeDescriptor* d = m_model.descriptor(m_id))
        for (const QString& name : m_geo.inlineParams)
            if (const sp::ParamSpec* spec = d->findParam(GraphModel::ss(name)))
                s.paramLabels << paramCaption(*spec);
    NodePainter::paint(*painter, m_geo, s);
}

PortItem* NodeItem::port(PortSide side, const QString& name) const {
    for (PortItem* p : m_ports)
        if (p->side() == side && p->info().name == name) return p;
    return nullptr;
}

QPointF NodeItem::portScenePos(PortSide side, const QString& name) const {
    if (const PortItem* p = port(side, name)) return p->scenePos();
    return mapToScene(side == PortSide::In ? QPointF(0, NodeGeometry::kTitleHeight / 2)
                                           : QPointF(m_geo.width, NodeGeometry::kTitleHeight / 2));
}

ParamEditor* NodeItem::inlineEditor(const QString& name) const {
    for (const Inline& in : m_inline)
        if (in.name == name) return in.editor;
    return nullptr;
}

bool NodeItem::isOverTitle(QPointF scenePos) const {
    return m_geo.titleRect().contains(mapFromScene(scenePos));
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemSelectedHasChanged) setZValue(value.toBool() ? zorder::kSelectedNode : zorder::kNodes);
    return QGraphicsItem::itemChange(change, value);
}

}  // namespace sv::ui
