#include "canvas/graph_model.h"

#include "app/theme.h"

#include <cmath>

namespace sv::ui {

GraphModel::GraphModel(sp::GraphDocument& doc, const sp::NodeRegistry& registry, QObject* parent)
    : QObject(parent), m_doc(doc), m_registry(registry) {
    m_observer = m_doc.addObserver([this](const sp::GraphChange& c) { onChange(c); });
}

GraphModel::~GraphModel() {
    m_doc.removeObserver(m_observer);
}

void GraphModel::onChange(const sp::GraphChange& c) {
    using K = sp::GraphChange::Kind;
    const QString id = qs(c.nodeId);
    switch (c.kind) {
        case K::NodeAdded:
            emit nodeAdded(id);
            break;
        case K::NodeRemoved:
            m_status.remove(id);
            emit nodeRemoved(id);
            break;
        case K::ParamChanged:
            emit paramChanged(id, qs(c.name));
            break;
        case K::BypassChanged:
            emit bypassChanged(id);
            break;
        case K::UiDataChanged:
            emit uiDataChanged(id);
            break;
        case K::LinkAdded:
            emit linkAdded(c.link);
            break;
        case K::LinkRemoved:
            emit linkRemoved(c.link);
            break;
        case K::MetadataChanged:
            emit metadataChanged();
            break;
        case K::Reset:
            m_status.clear();
            emit reset();
            break;
    }
    emit documentChanged();
}

QStringList GraphModel::nodeIds() const {
    QStringList ids;
    for (const auto& n : m_doc.nodes()) ids << qs(n.id);
    return ids;
}

const sp::GraphNode* GraphModel::node(const QString& id) const {
    return m_doc.findNode(ss(id));
}

const sp::NodeDescriptor* GraphModel::descriptor(const QString& id) const {
    const sp::GraphNode* n = node(id);
    return n ? m_registry.find(n->type) : nullptr;
}

QString GraphModel::title(const QString& id) const {
    if (const auto* d = descriptor(id)) return qs(d->caption.empty() ? d->typeId : d->caption);
    const sp::GraphNode* n = node(id);
    return n ? qs(n->type) : QString();
}

QString GraphModel::category(const QString& id) const {
    const auto* d = descriptor(id);
    return d ? qs(d->category) : QStringLiteral("Unknown");
}

namespace {
QString portCaption(const sp::PortSpec& p) {
    if (!p.caption.empty()) return QString::fromStdString(p.caption);
    QString s = QString::fromStdString(p.name);
    s.replace(u'_', u' ');
    return s;
}
}  // namespace

QList<PortInfo> GraphModel::ports(const QString& id, PortSide side) const {
    QList<PortInfo> out;
    if (const auto* d = descriptor(id)) {
        for (const sp::PortSpec& p : side == PortSide::In ? d->inputs : d->outputs)
            out.append(
                {qs(p.name), portCaption(p), qs(p.type.id()), portColor(p.type), qs(p.help), p.optional});
        return out;
    }
    // Unknown type: show the ports its links use, so the graph stays readable and repairable.
    QStringList seen;
    for (const sp::GraphLink& l : m_doc.links()) {
        const sp::PortRef& end = side == PortSide::In ? l.to : l.from;
        if (qs(end.node) != id || seen.contains(qs(end.port))) continue;
        seen << qs(end.port);
        out.append({qs(end.port), qs(end.port), QStringLiteral("ANY"), portTypeColor(u"ANY"), {}, true});
    }
    return out;
}

std::optional<PortInfo> GraphModel::port(const QString& id, PortSide side, const QString& name) const {
    for (const PortInfo& p : ports(id, side))
        if (p.name == name) return p;
    return std::nullopt;
}

QPointF GraphModel::position(const QString& id) const {
    const sp::GraphNode* n = node(id);
    if (!n) return {};
    const auto it = n->ui.find("pos");
    if (it == n->ui.end() || !it->is_array() || it->size() != 2 || !(*it)[0].is_number() ||
        !(*it)[1].is_number())
        return {};
    return {(*it)[0].get<double>(), (*it)[1].get<double>()};
}

bool GraphModel::isBypassed(const QString& id) const {
    const sp::GraphNode* n = node(id);
    return n && n->bypass;
}

bool GraphModel::isViewed(const QString& id) const {
    const sp::GraphNode* n = node(id);
    if (!n) return false;
    const auto it = n->ui.find("view");
    return it != n->ui.end() && it->is_boolean() && it->get<bool>();
}

QString GraphModel::viewedNode() const {
    for (const auto& n : m_doc.nodes())
        if (isViewed(qs(n.id))) return qs(n.id);
    return {};
}

QVariant GraphModel::paramValue(const QString& id, const QString& name) const {
    const sp::GraphNode* n = node(id);
    if (!n) return {};
    const std::string key = ss(name);
    const auto it = n->params.find(key);
    if (it != n->params.end() && !it->is_null()) return toVariant(*it);
    if (const auto* d = descriptor(id))
        if (const auto* spec = d->findParam(key)) return toVariant(sp::ParamSpec::toJson(spec->defaultValue));
    return {};
}

bool GraphModel::isConnected(const QString& id, PortSide side, const QString& port) const {
    for (const sp::GraphLink& l : m_doc.links()) {
        const sp::PortRef& end = side == PortSide::In ? l.to : l.from;
        if (qs(end.node) == id && qs(end.port) == port) return true;
    }
    return false;
}

std::vector<sp::GraphLink> GraphModel::linksOf(const QString& id) const {
    std::vector<sp::GraphLink> out;
    const std::string key = ss(id);
    for (const sp::GraphLink& l : m_doc.links())
        if (l.from.node == key || l.to.node == key) out.push_back(l);
    return out;
}

std::optional<QString> GraphModel::checkConnection(const sp::PortRef& from, const sp::PortRef& to) const {
    if (auto why = sp::checkConnection(m_doc, m_registry, from, to)) return qs(*why);
    return std::nullopt;
}

QColor GraphModel::portColor(const sp::PortType& type) const {
    if (const sp::PortTypeInfo* info = m_registry.findPortType(type))
        return QColor::fromRgb(QRgb(info->colour));
    return portTypeColor(qs(type.id()));
}

QStringList GraphModel::compatibleTypes(const QString& typeName, PortSide side) const {
    QStringList out;
    const sp::PortType type{ss(typeName)};
    const bool known = m_registry.findPortType(type) != nullptr;  // "ANY" (a port of an unknown node) is not
    for (const auto* e : m_registry.entries()) {
        const auto& ports = side == PortSide::In ? e->descriptor.inputs : e->descriptor.outputs;
        for (const sp::PortSpec& p : ports) {
            const bool ok = !known || (side == PortSide::In ? sp::canConvert(type, p.type)
                                                            : sp::canConvert(p.type, type));
            if (ok) {
                out << qs(e->descriptor.typeId);
                break;
            }
        }
    }
    return out;
}

void GraphModel::setStatus(const QString& id, const NodeStatus& status) {
    m_status.insert(id, status);
    emit statusChanged(id);
}

void GraphModel::clearStatuses() {
    const QStringList ids = m_status.keys();
    m_status.clear();
    for (const QString& id : ids) emit statusChanged(id);
}

QVariant GraphModel::toVariant(const nlohmann::json& j) {
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_number_integer()) return QVariant::fromValue<qlonglong>(j.get<qlonglong>());
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) return qs(j.get<std::string>());
    if (j.is_null()) return {};
    return qs(j.dump());
}

nlohmann::json GraphModel::toJson(const QVariant& v, const sp::ParamSpec* spec) {
    if (!v.isValid()) return nullptr;
    const auto type = spec ? spec->type : sp::PortType::String;
    if (type == sp::PortType::Int) return qlonglong(std::llround(v.toDouble()));
    if (type == sp::PortType::Float) return v.toDouble();
    if (type == sp::PortType::Bool) return v.toBool();
    if (!spec) {
        if (v.typeId() == QMetaType::Bool) return v.toBool();
        if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int) return v.toLongLong();
        if (v.typeId() == QMetaType::Double) return v.toDouble();
    }
    return ss(v.toString());
}

nlohmann::json GraphModel::withPosition(nlohmann::json ui, QPointF pos) {
    if (!ui.is_object()) ui = nlohmann::json::object();
    ui["pos"] = {std::round(pos.x() * 10) / 10, std::round(pos.y() * 10) / 10};
    return ui;
}

}  // namespace sv::ui
