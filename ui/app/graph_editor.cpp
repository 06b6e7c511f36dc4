#include "app/graph_editor.h"

#include <QApplication>
#include <QClipboard>
#include <QMimeData>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "base/error.h"
#include "commands/graph_commands.h"

namespace sv::ui {

namespace {
constexpr double kPasteOffset = 40.0;
}  // namespace

GraphEditor::GraphEditor(GraphModel& model, QObject* parent) : QObject(parent), m_model(model) {
    m_undo = new QUndoStack(this);
}

GraphEditor::~GraphEditor() = default;

QString GraphEditor::uniqueId(const QString& typeId, const std::vector<std::string>& taken) const {
    // Stem: the last segment of the type id ("sana.sampler" → "sampler").
    const std::string stem = GraphModel::ss(typeId.section(u'.', -1));
    std::string id = m_model.document().uniqueNodeId(stem.empty() ? "node" : stem);
    for (int n = 2; std::ranges::find(taken, id) != taken.end(); ++n)
        id = m_model.document().uniqueNodeId(stem + "_" + std::to_string(n));
    return GraphModel::qs(id);
}

QString GraphEditor::addNode(const QString& typeId, QPointF pos) {
    const sp::NodeDescriptor* d = m_model.registry().find(GraphModel::ss(typeId));
    if (!d) {
        emit message(tr("Unknown node type \"%1\"").arg(typeId));
        return {};
    }
    sp::GraphNode node;
    node.id = GraphModel::ss(uniqueId(typeId, {}));
    node.type = d->typeId;
    node.typeVersion = d->version;
    for (const sp::ParamSpec& p : d->params) {
        nlohmann::json value = m_paramDefaults ? m_paramDefaults(*d, p) : nlohmann::json();
        node.params[p.name] = value.is_null() ? sp::ParamSpec::toJson(p.defaultValue) : std::move(value);
    }
    node.ui = GraphModel::withPosition(nlohmann::json::object(), pos);
    const QString caption = GraphModel::qs(d->caption.empty() ? d->typeId : d->caption);
    m_undo->push(new InsertNodesCommand(m_model.document(), {node}, {}, tr("Add %1").arg(caption)));
    return GraphModel::qs(node.id);
}

QString GraphEditor::addNodeConnected(const QString& typeId, QPointF pos, const sp::PortRef& pending,
                                      PortSide pendingSide) {
    m_undo->beginMacro(tr("Add connected node"));
    const QString id = addNode(typeId, pos);
    if (!id.isEmpty()) {
        // The first port of the new node that accepts the pending end.
        const PortSide side = pendingSide == PortSide::Out ? PortSide::In : PortSide::Out;
        for (const PortInfo& p : m_model.ports(id, side)) {
            const sp::PortRef mine{GraphModel::ss(id), GraphModel::ss(p.name)};
            const sp::PortRef from = pendingSide == PortSide::Out ? pending : mine;
            const sp::PortRef to = pendingSide == PortSide::Out ? mine : pending;
            if (!m_model.checkConnection(from, to)) {
                m_undo->push(new ConnectCommand(m_model.document(), from, to));
                break;
            }
        }
    }
    m_undo->endMacro();
    return id;
}

std::optional<QString> GraphEditor::connectPorts(const sp::PortRef& from, const sp::PortRef& to) {
    if (auto why = m_model.checkConnection(from, to)) {
        emit message(*why);
        return why;
    }
    m_undo->push(new ConnectCommand(m_model.document(), from, to));
    return std::nullopt;
}

std::optional<QString> GraphEditor::relink(const sp::GraphLink& old, const sp::PortRef& newTo) {
    if (newTo == old.to) return std::nullopt;
    // Check against the graph without the old link (it may be what would make a cycle).
    sp::GraphDocument probe = m_model.document();
    probe.removeLink(old);
    if (auto why = sp::checkConnection(probe, m_model.registry(), old.from, newTo)) {
        emit message(GraphModel::qs(*why));
        return GraphModel::qs(*why);
    }
    m_undo->beginMacro(tr("Reconnect"));
    m_undo->push(new RemoveItemsCommand(m_model.document(), {}, {old}, tr("Disconnect")));
    m_undo->push(new ConnectCommand(m_model.document(), old.from, newTo));
    m_undo->endMacro();
    return std::nullopt;
}

bool GraphEditor::disconnectInput(const sp::PortRef& to) {
    const sp::GraphLink* link = m_model.document().inputLink(to.node, to.port);
    if (!link) return false;
    m_undo->push(new RemoveItemsCommand(m_model.document(), {}, {*link}, tr("Disconnect")));
    return true;
}

void GraphEditor::removeLinks(const std::vector<sp::GraphLink>& links) {
    if (links.empty()) return;
    m_undo->push(
        new RemoveItemsCommand(m_model.document(), {}, links,
                               links.size() == 1 ? tr("Disconnect") : tr("Cut %1 links").arg(links.size())));
}

void GraphEditor::removeItems(const QStringList& nodeIds, const std::vector<sp::GraphLink>& links) {
    std::vector<std::string> ids;
    for (const QString& id : nodeIds)
        if (m_model.hasNode(id)) ids.push_back(GraphModel::ss(id));
    if (ids.empty() && links.empty()) return;
    const QString text =
        ids.size() == 1 && links.empty() ? tr("Delete %1").arg(m_model.title(nodeIds.first())) : tr("Delete");
    m_undo->push(new RemoveItemsCommand(m_model.document(), std::move(ids), links, text));
}

void GraphEditor::moveNodes(const QHash<QString, QPointF>& positions, int dragSerial) {
    std::map<std::string, SetUiDataCommand::Change> changes;
    for (auto it = positions.begin(); it != positions.end(); ++it) {
        const sp::GraphNode* n = m_model.node(it.key());
        if (!n) continue;
        changes[n->id] = {n->ui, GraphModel::withPosition(n->ui, it.value())};
    }
    auto* cmd = new MoveNodesCommand(m_model.document(), std::move(changes), dragSerial);
    if (cmd->isObsolete()) {
        delete cmd;
        return;
    }
    m_undo->push(cmd);
}

void GraphEditor::setParam(const QString& nodeId, const QString& name, const QVariant& value, bool final) {
    const sp::GraphNode* n = m_model.node(nodeId);
    if (!n) return;
    const sp::NodeDescriptor* d = m_model.descriptor(nodeId);
    const sp::ParamSpec* spec = d ? d->findParam(GraphModel::ss(name)) : nullptr;
    const auto it = n->params.find(GraphModel::ss(name));
    nlohmann::json before = it != n->params.end() ? *it : nlohmann::json();
    nlohmann::json after = GraphModel::toJson(value, spec);
    const QString label = spec && !spec->caption.empty() ? GraphModel::qs(spec->caption) : name;
    m_undo->push(new SetParamCommand(m_model.document(), n->id, GraphModel::ss(name), std::move(before),
                                     std::move(after), final, tr("Set %1").arg(label)));
}

void GraphEditor::resetParam(const QString& nodeId, const QString& name) {
    const sp::GraphNode* n = m_model.node(nodeId);
    if (!n) return;
    const auto it = n->params.find(GraphModel::ss(name));
    if (it == n->params.end()) return;
    m_undo->push(new SetParamCommand(m_model.document(), n->id, GraphModel::ss(name), *it, nullptr, true,
                                     tr("Reset %1").arg(name)));
}

void GraphEditor::toggleBypass(const QStringList& ids) {
    const bool anyActive =
        std::ranges::any_of(ids, [this](const QString& id) { return !m_model.isBypassed(id); });
    std::map<std::string, bool> after;
    for (const QString& id : ids)
        if (m_model.hasNode(id)) after[GraphModel::ss(id)] = anyActive;
    auto* cmd =
        new SetBypassCommand(m_model.document(), std::move(after), anyActive ? tr("Bypass") : tr("Enable"));
    if (cmd->isObsolete()) {
        delete cmd;
        return;
    }
    m_undo->push(cmd);
}

void GraphEditor::setViewed(const QString& id) {
    const QString current = m_model.viewedNode();
    const QString target = id == current ? QString() : id;
    std::map<std::string, SetUiDataCommand::Change> changes;
    for (const auto& n : m_model.document().nodes()) {
        const bool want = GraphModel::qs(n.id) == target;
        if (m_model.isViewed(GraphModel::qs(n.id)) == want) continue;
        nlohmann::json ui = n.ui.is_object() ? n.ui : nlohmann::json::object();
        if (want) {
            ui["view"] = true;
        } else {
            ui.erase("view");
        }
        changes[n.id] = {n.ui, ui};
    }
    if (changes.empty()) return;
    m_undo->push(new SetUiDataCommand(
        m_model.document(), std::move(changes),
        target.isEmpty() ? tr("Clear view flag") : tr("View %1").arg(m_model.title(id))));
}

QByteArray GraphEditor::fragmentJson(const QStringList& ids) const {
    sp::GraphDocument fragment;
    std::vector<std::string> keep;
    for (const auto& n : m_model.document().nodes()) {
        if (!ids.contains(GraphModel::qs(n.id))) continue;
        sp::GraphNode copy = n;
        if (copy.ui.is_object()) copy.ui.erase("view");
        fragment.insertNode(std::move(copy));
        keep.push_back(n.id);
    }
    for (const sp::GraphLink& l : m_model.document().links())
        if (std::ranges::find(keep, l.from.node) != keep.end() &&
            std::ranges::find(keep, l.to.node) != keep.end())
            fragment.connect(l.from, l.to);
    return QByteArray::fromStdString(fragment.toText(2));
}

QStringList GraphEditor::pasteFragment(const QByteArray& json, std::optional<QPointF> at) {
    sp::GraphDocument fragment;
    try {
        fragment =
            sp::GraphDocument::parse(std::string_view(json.constData(), size_t(json.size())), "clipboard");
    } catch (const sv::Error& e) {
        emit message(tr("Nothing to paste: %1").arg(QString::fromUtf8(e.what())));
        return {};
    }
    if (fragment.nodes().empty()) return {};
    // Fresh ids, positions shifted so the fragment's top-left lands at `at` (or offset from the original).
    double minX = std::numeric_limits<double>::max(), minY = minX;
    std::vector<sp::GraphNode> nodes;
    std::map<std::string, std::string> rename;
    std::vector<std::string> taken;
    for (const sp::GraphNode& n : fragment.nodes()) {
        if (rename.contains(n.id)) continue;  // duplicate ids in a hand-written fragment: keep the first
        sp::GraphNode copy = n;
        copy.id = GraphModel::ss(uniqueId(GraphModel::qs(n.id), taken));
        taken.push_back(copy.id);
        rename[n.id] = copy.id;
        nodes.push_back(std::move(copy));
    }
    std::vector<QPointF> positions;
    for (const sp::GraphNode& n : nodes) {
        const auto it = n.ui.find("pos");
        QPointF p;
        if (it != n.ui.end() && it->is_array() && it->size() == 2 && (*it)[0].is_number() &&
            (*it)[1].is_number())
            p = {(*it)[0].get<double>(), (*it)[1].get<double>()};
        positions.push_back(p);
        minX = std::min(minX, p.x());
        minY = std::min(minY, p.y());
    }
    const QPointF shift = at ? *at - QPointF(minX, minY) : QPointF(kPasteOffset, kPasteOffset);
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].ui.is_object()) nodes[i].ui.erase("view");
        nodes[i].ui = GraphModel::withPosition(nodes[i].ui, positions[i] + shift);
    }
    std::vector<sp::GraphLink> links;
    for (const sp::GraphLink& l : fragment.links()) {
        auto f = rename.find(l.from.node), t = rename.find(l.to.node);
        if (f == rename.end() || t == rename.end()) continue;
        links.push_back({{f->second, l.from.port}, {t->second, l.to.port}});
    }
    QStringList ids;
    for (const auto& n : nodes) ids << GraphModel::qs(n.id);
    m_undo->push(
        new InsertNodesCommand(m_model.document(), std::move(nodes), std::move(links),
                               ids.size() == 1 ? tr("Paste node") : tr("Paste %1 nodes").arg(ids.size())));
    return ids;
}

void GraphEditor::copy(const QStringList& ids) const {
    if (ids.isEmpty()) return;
    const QByteArray json = fragmentJson(ids);
    auto* mime = new QMimeData;
    mime->setData(QString::fromLatin1(kMimeType), json);
    mime->setText(QString::fromUtf8(json));
    QApplication::clipboard()->setMimeData(mime);
}

QStringList GraphEditor::paste(std::optional<QPointF> at) {
    const QMimeData* mime = QApplication::clipboard()->mimeData();
    if (!mime) return {};
    QByteArray json = mime->data(QString::fromLatin1(kMimeType));
    if (json.isEmpty()) json = mime->text().toUtf8();
    if (json.trimmed().isEmpty()) return {};
    return pasteFragment(json, at);
}

QStringList GraphEditor::duplicate(const QStringList& ids) {
    if (ids.isEmpty()) return {};
    return pasteFragment(fragmentJson(ids), std::nullopt);
}

}  // namespace sv::ui
