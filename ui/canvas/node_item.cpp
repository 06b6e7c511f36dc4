#include "canvas/node_item.h"

#include <QFileInfo>
#include <QGraphicsProxyWidget>
#include <QGraphicsSceneHoverEvent>
#include <QImageReader>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include "canvas/node_painter.h"
#include "canvas/port_item.h"
#include "panels/param_widgets.h"

namespace sv::ui {

namespace {
constexpr qreal kRaisedProxy = 10.0;  // an editor with an open popup, above its siblings
}  // namespace

NodeItem::NodeItem(QString id, const GraphModel& model, ParamEdited onParamEdited, Hint onHint)
    : id_(std::move(id)),
      model_(model),
      onParamEdited_(std::move(onParamEdited)),
      onHint_(std::move(onHint)) {
    setFlag(ItemIsSelectable, true);
    setFlag(ItemSendsGeometryChanges, true);
    setAcceptHoverEvents(true);
    updateZ();
    rebuild();
    syncPosition();
}

NodeItem::~NodeItem() {
    // The editors go with their proxies, after this item's own members: they must not call back into it
    // (a combo box hides its list while it is destroyed).
    for (const Inline& in : inline_) QObject::disconnect(in.editor, nullptr, nullptr, nullptr);
}

void NodeItem::rebuild() {
    prepareGeometryChange();
    for (PortItem* p : ports_) delete p;
    ports_.clear();
    for (Inline& in : inline_) {
        QObject::disconnect(in.editor, nullptr, nullptr, nullptr);
        delete in.proxy;  // deletes the editor with it
    }
    inline_.clear();
    popupOpen_ = false;

    geo_ = NodeGeometry::compute(model_, id_);
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
    if (const sp::NodeDescriptor* d = model_.descriptor(id_))
        for (const NodeGeometry::ParamRow& row : geo_.params)
            if (const sp::ParamSpec* spec = d->findParam(GraphModel::ss(row.name))) buildInline(*spec, row);
    syncUnused();
    loadThumbnail();
    const NodeStatus st = model_.status(id_);
    errorRect_ = NodePainter::errorRect(geo_, st.isProblem() ? st.message : QString());
    updateZ();
    update();
}

void NodeItem::buildInline(const sp::ParamSpec& spec, const NodeGeometry::ParamRow& row) {
    ParamEditor* editor = createParamEditor(spec, EditorSize::Compact);
    editor->setAttribute(Qt::WA_TranslucentBackground, true);
    editor->setFont(NodeGeometry::labelFont());
    for (QWidget* child : editor->findChildren<QWidget*>()) child->setFont(NodeGeometry::labelFont());
    editor->setMinimumSize(0, 0);
    editor->setFixedSize(row.widget.size().toSize());
    auto* proxy = new QGraphicsProxyWidget(this);
    proxy->setWidget(editor);
    proxy->setPos(row.widget.topLeft());
    const QString name = row.name;
    QObject::connect(editor, &ParamEditor::edited, editor, [this, name](const QVariant& v, bool final) {
        if (onParamEdited_) onParamEdited_(id_, name, v, final);
    });
    QObject::connect(editor, &ParamEditor::hint, editor, [this](const QString& text) {
        if (onHint_) onHint_(text);
    });
    QObject::connect(editor, &ParamEditor::popupShown, editor,
                     [this, proxy](bool open) { setPopupOpen(proxy, open); });
    inline_.push_back({name, proxy, editor});
    syncParam(name);
}

void NodeItem::setPopupOpen(QGraphicsProxyWidget* proxy, bool open) {
    // Qt embeds the popup (a combo box's list, a menu) as a child of the editor's proxy: raise that proxy
    // above the rows below it, and the node above the nodes around it, while it is open.
    for (const Inline& in : inline_) in.proxy->setZValue(in.proxy == proxy && open ? kRaisedProxy : 0.0);
    popupOpen_ = open;
    updateZ();
}

void NodeItem::updateZ() {
    qreal z = zorder::kNodes;
    if (model_.status(id_).isProblem()) z = zorder::kProblemNode;  // its message box is on top
    if (isSelected()) z = zorder::kSelectedNode;
    if (popupOpen_) z = zorder::kActiveNode;
    setZValue(z);
}

void NodeItem::syncPosition() {
    const QPointF p = model_.position(id_);
    if (p != pos()) setPos(p);
}

void NodeItem::syncParam(const QString& name) {
    for (const Inline& in : inline_)
        if (in.name == name) in.editor->setValue(model_.paramValue(id_, name));
    if (name == geo_.thumbnailParam) {
        loadThumbnail();
        update();
    }
}

void NodeItem::syncUnused() {
    for (const Inline& in : inline_) in.editor->setUnusedBecause(model_.unusedBecause(id_, in.name));
}

void NodeItem::loadThumbnail() {
    thumbnail_ = {};
    if (geo_.thumbnailParam.isEmpty()) return;
    const QString path = model_.paramValue(id_, geo_.thumbnailParam).toString();
    if (path.isEmpty() || !QFileInfo(path).isFile()) return;
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize full = reader.size();
    if (full.isValid()) {
        QSize scaled = full;
        scaled.scale(geo_.thumbnail.size().toSize() * 2, Qt::KeepAspectRatio);  // sharp at 200 % zoom
        if (scaled.width() < full.width()) reader.setScaledSize(scaled);
    }
    thumbnail_ = reader.read();
}

void NodeItem::syncState() {
    const NodeStatus st = model_.status(id_);
    const QRectF error = NodePainter::errorRect(geo_, st.isProblem() ? st.message : QString());
    if (error != errorRect_) {
        prepareGeometryChange();
        errorRect_ = error;
    }
    for (PortItem* p : ports_) p->setConnected(model_.isConnected(id_, p->side(), p->info().name));
    syncUnused();
    updateZ();
    update();
}

QRectF NodeItem::boundingRect() const {
    QRectF r =
        geo_.body().adjusted(-5, -geo_.badgeHeight, 5, 6);  // badge above, shadow, pen and problem ring
    if (!errorRect_.isNull()) r = r.united(errorRect_.adjusted(-1, -1, 1, 1));
    return r;
}

QPainterPath NodeItem::shape() const {
    QPainterPath p;
    p.addRoundedRect(geo_.body(), NodeGeometry::kCorner, NodeGeometry::kCorner);
    if (!errorRect_.isNull()) p.addRect(errorRect_);  // hovering the message shows it whole
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
    s.progress = model_.progress(id_);
    if (const sp::NodeDescriptor* d = model_.descriptor(id_))
        for (const NodeGeometry::ParamRow& row : geo_.params)
            if (const sp::ParamSpec* spec = d->findParam(GraphModel::ss(row.name))) {
                s.paramLabels << paramCaption(*spec);
                s.paramUnused << !model_.unusedBecause(id_, row.name).isEmpty();
            }
    s.thumbnail = thumbnail_;
    if (thumbnail_.isNull())
        s.thumbnailNote = model_.paramValue(id_, geo_.thumbnailParam).toString().isEmpty()
                              ? QObject::tr("No image chosen")
                              : QObject::tr("Cannot show this file");
    NodePainter::paint(*painter, geo_, s);
}

QString NodeItem::toolTipAt(QPointF pos) const {
    const NodeStatus st = model_.status(id_);
    if (st.isProblem() && (errorRect_.contains(pos) || geo_.titleRect().contains(pos)))
        return QStringLiteral("<b>%1</b><br>%2")
            .arg(st.state == NodeStatus::State::Error ? QObject::tr("Failed") : QObject::tr("Cannot run"),
                 st.message.toHtmlEscaped().replace(u'\n', QStringLiteral("<br>")));
    const sp::NodeDescriptor* d = model_.descriptor(id_);
    if (geo_.titleRect().contains(pos)) {
        QString tip = QStringLiteral("<b>%1</b> <i>%2</i>").arg(model_.title(id_).toHtmlEscaped(), id_);
        if (d && !d->help.empty()) tip += QStringLiteral("<br>") + GraphModel::qs(d->help).toHtmlEscaped();
        if (!st.isProblem() && !st.message.isEmpty())  // what it reported when it last ran
            tip += QStringLiteral("<br><i>%1</i>").arg(st.message.toHtmlEscaped());
        return tip;
    }
    for (int i = 0; i < geo_.inputs.size(); ++i)
        if (geo_.portLabelRect(PortSide::In, i).contains(pos))
            return QStringLiteral("<b>%1</b> — %2")
                .arg(geo_.inputs[i].caption.toHtmlEscaped(), geo_.inputs[i].typeName);
    for (int i = 0; i < geo_.outputs.size(); ++i)
        if (geo_.portLabelRect(PortSide::Out, i).contains(pos))
            return QStringLiteral("<b>%1</b> — %2")
                .arg(geo_.outputs[i].caption.toHtmlEscaped(), geo_.outputs[i].typeName);
    for (const NodeGeometry::ParamRow& row : geo_.params)
        if (row.label.contains(pos))
            if (const sp::ParamSpec* spec = d ? d->findParam(GraphModel::ss(row.name)) : nullptr) {
                const QString unused = model_.unusedBecause(id_, row.name);
                return paramToolTip(*spec) +
                       (unused.isEmpty() ? QString() : QStringLiteral("<br><b>%1</b>").arg(unused));
            }
    if (!geo_.thumbnail.isNull() && geo_.thumbnail.contains(pos))
        return model_.paramValue(id_, geo_.thumbnailParam).toString().toHtmlEscaped();
    return {};
}

void NodeItem::hoverMoveEvent(QGraphicsSceneHoverEvent* event) {
    const QString tip = toolTipAt(event->pos());
    if (tip != toolTip()) setToolTip(tip);
    QGraphicsItem::hoverMoveEvent(event);
}

PortItem* NodeItem::port(PortSide side, const QString& name) const {
    for (PortItem* p : ports_)
        if (p->side() == side && p->info().name == name) return p;
    return nullptr;
}

QPointF NodeItem::portScenePos(PortSide side, const QString& name) const {
    if (const PortItem* p = port(side, name)) return p->scenePos();
    return mapToScene(side == PortSide::In ? QPointF(0, geo_.titleHeight / 2)
                                           : QPointF(geo_.width, geo_.titleHeight / 2));
}

ParamEditor* NodeItem::inlineEditor(const QString& name) const {
    for (const Inline& in : inline_)
        if (in.name == name) return in.editor;
    return nullptr;
}

QGraphicsProxyWidget* NodeItem::inlineProxy(const QString& name) const {
    for (const Inline& in : inline_)
        if (in.name == name) return in.proxy;
    return nullptr;
}

bool NodeItem::isOverTitle(QPointF scenePos) const {
    return geo_.titleRect().contains(mapFromScene(scenePos));
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemSelectedHasChanged) updateZ();
    return QGraphicsItem::itemChange(change, value);
}

}  // namespace sv::ui
