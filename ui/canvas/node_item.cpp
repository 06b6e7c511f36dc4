#include "canvas/node_item.h"

#include <QGraphicsProxyWidget>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include "canvas/node_painter.h"
#include "canvas/port_item.h"
#include "panels/param_widgets.h"

namespace sv::ui {

NodeItem::NodeItem(QString id, const GraphModel& model, ParamEdited onParamEdited)
    : id_(std::move(id)), model_(model), onParamEdited_(std::move(onParamEdited)) {
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
    for (PortItem* p : ports_) delete p;
    ports_.clear();
    for (Inline& in : inline_) delete in.proxy;  // deletes the editor with it
    inline_.clear();

    geo_ = NodeGeometry::compute(model_, id_, NodeGeometry::titleFont(), NodeGeometry::labelFont());
    for (int i = 0; i < geo_.inputs.size(); ++i) {
        auto* p = new PortItem(id_, PortSide::In, geo_.inputs[i], this);
        p->setPos(geo_.inputPos(i));
        p->setConnected(model_.isConnected(id_, PortSide::In, geo_.inputs[i].name));
        ports_.push_back(p);
    }
    for (int i = 0; i < geo_.outputs.size(); ++i) {
        auto* p = new PortItem(id_, PortSide::Out, geo_.outputs[i], this);
        p->setPos(geo_.outputPos(i));
        p->setConnected(model_.isConnected(id_, PortSide::Out, geo_.outputs[i].name));
        ports_.push_back(p);
    }
    if (const sp::NodeDescriptor* d = model_.descriptor(id_)) {
        for (int i = 0; i < geo_.inlineParams.size(); ++i) {
            const sp::ParamSpec* spec = d->findParam(GraphModel::ss(geo_.inlineParams[i]));
            if (!spec) continue;
            ParamEditor* editor = createParamEditor(*spec, EditorSize::Compact);
            editor->setAttribute(Qt::WA_TranslucentBackground, true);
            editor->setMinimumSize(0, 0);
            const QRectF r = geo_.paramWidgetRect(i);
            editor->setFixedSize(r.size().toSize());
            auto* proxy = new QGraphicsProxyWidget(this);
            proxy->setWidget(editor);
            proxy->setPos(r.topLeft());
            const QString name = geo_.inlineParams[i];
            QObject::connect(editor, &ParamEditor::edited, editor,
                             [this, name](const QVariant& v, bool final) {
                                 if (onParamEdited_) onParamEdited_(id_, name, v, final);
                             });
            inline_.push_back({name, proxy, editor});
            syncParam(name);
        }
    }
    errorRect_ = NodePainter::errorRect(
        geo_, model_.status(id_).state == NodeStatus::State::Error ? model_.status(id_).message : QString());
    update();
}

void NodeItem::syncPosition() {
    const QPointF p = model_.position(id_);
    if (p != pos()) setPos(p);
}

void NodeItem::syncParam(const QString& name) {
    for (const Inline& in : inline_)
        if (in.name == name) in.editor->setValue(model_.paramValue(id_, name));
}

void NodeItem::syncState() {
    const NodeStatus st = model_.status(id_);
    const QRectF error =
        NodePainter::errorRect(geo_, st.state == NodeStatus::State::Error ? st.message : QString());
    if (error != errorRect_) {
        prepareGeometryChange();
        errorRect_ = error;
    }
    for (PortItem* p : ports_) p->setConnected(model_.isConnected(id_, p->side(), p->info().name));
    update();
}

QRectF NodeItem::boundingRect() const {
    QRectF r = geo_.body().adjusted(-2, -NodeGeometry::kBadgeHeight, 4, 5);  // badge above, shadow and pen
    if (!errorRect_.isNull()) r = r.united(errorRect_.adjusted(-1, -1, 1, 1));
    return r;
}

QPainterPath NodeItem::shape() const {
    QPainterPath p;
    p.addRoundedRect(geo_.body(), NodeGeometry::kCorner, NodeGeometry::kCorner);
    return p;
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    NodePaintState s;
    s.title = model_.title(id_);
    s.category = model_.category(id_);
    s.selected = option->state & QStyle::State_Selected;
    s.bypassed = model_.isBypassed(id_);
    s.viewed = model_.isViewed(id_);
    s.unknownType = model_.descriptor(id_) == nullptr;
    s.status = model_.status(id_);
    if (const sp::NodeDescriptor* d = model_.descriptor(id_))
        for (const QString& name : geo_.inlineParams)
            if (const sp::ParamSpec* spec = d->findParam(GraphModel::ss(name)))
                s.paramLabels << paramCaption(*spec);
    NodePainter::paint(*painter, geo_, s);
}

PortItem* NodeItem::port(PortSide side, const QString& name) const {
    for (PortItem* p : ports_)
        if (p->side() == side && p->info().name == name) return p;
    return nullptr;
}

QPointF NodeItem::portScenePos(PortSide side, const QString& name) const {
    if (const PortItem* p = port(side, name)) return p->scenePos();
    return mapToScene(side == PortSide::In ? QPointF(0, NodeGeometry::kTitleHeight / 2)
                                           : QPointF(geo_.width, NodeGeometry::kTitleHeight / 2));
}

ParamEditor* NodeItem::inlineEditor(const QString& name) const {
    for (const Inline& in : inline_)
        if (in.name == name) return in.editor;
    return nullptr;
}

bool NodeItem::isOverTitle(QPointF scenePos) const {
    return geo_.titleRect().contains(mapFromScene(scenePos));
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemSelectedHasChanged) setZValue(value.toBool() ? zorder::kSelectedNode : zorder::kNodes);
    return QGraphicsItem::itemChange(change, value);
}

}  // namespace sv::ui
