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

GraphEditor::GraphEditor(GraphModel& model, QObject* parent) : QObject(parent), model_(model) {
    undo_ = new QUndoStack(this);
}

GraphEditor::~GraphEditor() = default;

QString GraphEditor::uniqueId(const QString& typeId, const std::vector<std::string>& taken) const {
    // Stem: the last segment of the type id ("sana.sampler" → "sampler").
    const std::string stem = GraphModel::ss(typeId.section(u'.', -1));
    std::string id = model_.document().uniqueNodeId(stem.empty() ? "node" : stem);
    for (int n = 2; std::ranges::find(taken, id) != taken.end(); ++n)
        id = model_.document().uniqueNodeId(stem + "_" + std::to_string(n));
    return GraphModel::qs(id);
}

QString GraphEditor::addNode(const QString& typeId, QPointF pos) {
    const sp::NodeDescriptor* d = model_.registry().find(GraphModel::ss(typeId));
    if (!d) {
        emit message(tr("Unknown node type \"%1\"").arg(typeId));
        return {};
    }
    sp::GraphNode node;
    node.id = GraphModel::ss(uniqueId(typeId, {}));
    node.type = d->typeId;
    node.typeVersion = d->version;
    for (const sp::ParamSpec& p : d->params) {
        nlohmann::json value = paramDefaults_ ? paramDefaults_(*d, p) : nlohmann::json();
        node.params[p.name] = value.is_null() ? sp::ParamSpec::toJson(p.defaultValue) : std::move(value);
    }
    node.ui = GraphModel::withPosition(nlohmann::json::object(), pos);
    const QString caption = GraphModel::qs(d->caption.empty() ? d->typeId : d->caption);
    undo_->push(new InsertNodesCommand(model_.document(), {node}, {}, tr("Add %1").arg(caption)));
    return GraphModel::qs(node.id);
}

QString GraphEditor::addNodeConnected(const QString& typeId, QPointF pos, const sp::PortRef& pending,
                                      PortSide pendingSide) {
    undo_->beginMacro(tr("Add connected node"));
    const QString id = addNode(typeId, pos);
    if (!id.isEmpty()) {
        // The first port of the new node that accepts the pending end.
        const PortSide side = pendingSide == PortSide::Out ? PortSide::In : PortSide::Out;
        for (const PortInfo& p : model_.ports(id, side)) {
            const sp::PortRef mine{GraphModel::ss(id), GraphModel::ss(p.name)};
            const sp::PortRef from = pendingSide == PortSide::Out ? pending : mine;
            const sp::PortRef to = pendingSide == PortSide::Out ? mine : pending;
            if (!model_.checkConnection(from, to)) {
                undo_->push(new ConnectCommand(model_.document(), from, to));
                break;
            }
        }
    }
    undo_->endMacro();
    return id;
}

std::optional<QString> GraphEditor::connectPorts(const sp::PortRef& from, const sp::PortRef& to) {
    if (auto why = model_.checkConnection(from, to)) {
        emit message(*why);
        return why;
    }
    undo_->push(new ConnectCommand(model_.document(), from, to));
    return std::nullopt;
}

std::optional<QString> GraphEditor::relink(const sp::GraphLink& old, const sp::PortRef& newTo) {
    if (newTo == old.to) return std::nullopt;
    // Check against the graph without the old link (it may be what would make a cycle).
    sp::GraphDocument probe = model_.document();
    probe.removeLink(old);
    if (auto why = sp::checkConnection(probe, model_.registry(), old.from, newTo)) {
        emit message(GraphModel::qs(*why));
        return GraphModel::qs(*why);
    }
    undo_->beginMacro(tr("Reconnect"));
    undo_->push(new RemoveItemsCommand(model_.document(), {}, {old}, tr("Disconnect")));
    undo_->push(new ConnectCommand(model_.document(), old.from, newTo));
    undo_->endMacro();
    return std::nullopt;
}

bool GraphEditor::disconnectInput(const sp::PortRef& to) {
    const sp::GraphLink* link = model_.document().inputLink(to.node, to.port);
    if (!link) return false;
    undo_->push(new RemoveItemsCommand(model_.document(), {}, {*link}, tr("Disconnect")));
    return true;
}

void GraphEditor::removeLinks(const std::vector<sp::GraphLink>& links) {
    if (links.empty()) return;
    undo_->push(
        new RemoveItemsCommand(model_.document(), {}, links,
                               links.size() == 1 ? tr("Disconnect") : tr("Cut %1 links").arg(links.size())));
}

void GraphEditor::removeItems(const QStringList& nodeIds, const std::vector<sp::GraphLink>& links) {
    std::vector<std::string> ids;
    for (const QString& id : nodeIds)
        if (model_.hasNode(id)) ids.push_back(GraphModel::ss(id));
    if (ids.empty() && links.empty()) return;
    const QString text =
        ids.size() == 1 && links.empty() ? tr("Delete %1").arg(model_.title(nodeIds.first())) : tr("Delete");
    undo_->push(new RemoveItemsCommand(model_.document(), std::move(ids), links, text));
}

void GraphEditor::moveNodes(const QHash<QString, QPointF>& positions, int dragSerial) {
    std::map<std::string, SetUiDataCommand::Change> changes;
    for (auto it = positions.begin(); it != positions.end(); ++it) {
        const sp::GraphNode* n = model_.node(it.key());
        if (!n) continue;
        changes[n->id] = {n->ui, GraphModel::withPosition(n->ui, it.value())};
    }
    auto* cmd = new MoveNodesCommand(model_.document(), std::move(changes), dragSerial);
    if (cmd->isObsolete()) {
        delete cmd;
        return;
    }
    undo_->push(cmd);
}

void GraphEditor::setParam(const QString& nodeId, const QString& name, const QVariant& value, bool final) {
    const sp::GraphNode* n = model_.node(nodeId);
    if (!n) return;
    const sp::NodeDescriptor* d = model_.descriptor(nodeId);
    const sp::ParamSpec* spec = d ? d->findParam(GraphModel::ss(name)) : nullptr;
    const auto it = n->params.find(GraphModel::ss(name));
    nlohmann::json before = it != n->params.end() ? *it : nlohmann::json();
    nlohmann::json after = GraphModel::toJson(value, spec);
    const QString label = spec && !spec->caption.empty() ? GraphModel::qs(spec->caption) : name;
    undo_->push(new SetParamCommand(model_.document(), n->id, GraphModel::ss(name), std::move(before),
                                    std::move(after), final, tr("Set %1").arg(label)));
}

void GraphEditor::resetParam(const QString& nodeId, const QString& name) {
    const sp::GraphNode* n = model_.node(nodeId);
    if (!n) return;
    const auto it = n->params.find(GraphModel::ss(name));
    if (it == n->params.end()) return;
    undo_->push(new SetParamCommand(model_.document(), n->id, GraphModel::ss(name), *it, nullptr, true,
                                    tr("Reset %1").arg(name)));
}

void GraphEditor::toggleBypass(const QStringList& ids) {
    const bool anyActive =
        std::ranges::any_of(ids, [this](const QString& id) { return !model_.isBypassed(id); });
    std::map<std::string, bool> after;
    for (const QString& id : ids)
        if (model_.hasNode(id)) after[GraphModel::ss(id)] = anyActive;
    auto* cmd =
        new SetBypassCommand(model_.document(), std::move(after), anyActive ? tr("Bypass") : tr("Enable"));
    if (cmd->isObsolete()) {
        delete cmd;
        return;
    }
    undo_->push(cmd);
}

void GraphEditor::setParamOnNode(const QString& nodeId, const QString& name, bool onNode) {
    const sp::GraphNode* n = model_.node(nodeId);
    const sp::NodeDescriptor* d = model_.descriptor(nodeId);
    const sp::ParamSpec* spec = d ? d->findParam(GraphModel::ss(name)) : nullptr;
    if (!n || !spec || model_.isParamOnNode(nodeId, name) == onNode) return;
    nlohmann::json ui = n->ui.is_object() ? n->ui : nlohmann::json::object();
    nlohmann::json overrides =
        ui.contains("onNode") && ui["onNode"].is_object() ? ui["onNode"] : nlohmann::json::object();
    if (onNode == showsOnNodeByDefault(*spec)) {
        overrides.erase(spec->name);
    } else {
        overrides[spec->name] = onNode;
    }
    if (overrides.empty()) {
        ui.erase("onNode");
    } else {
        ui["onNode"] = overrides;
    }
    std::map<std::string, SetUiDataCommand::Change> changes;
    changes[n->id] = {n->ui, ui};
    const QString caption = GraphModel::qs(spec->caption.empty() ? spec->name : spec->caption);
    undo_->push(new SetUiDataCommand(
        model_.document(), std::move(changes),
        onNode ? tr("Show %1 on the node").arg(caption) : tr("Show %1 in the inspector only").arg(caption)));
}

void GraphEditor::setViewed(const QString& id) {
    const QString current = model_.viewedNode();
    const QString target = id == current ? QString() : id;
    std::map<std::string, SetUiDataCommand::Change> changes;
    for (const auto& n : model_.document().nodes()) {
        const bool want = GraphModel::qs(n.id) == target;
        if (model_.isViewed(GraphModel::qs(n.id)) == want) continue;
        nlohmann::json ui = n.ui.is_object() ? n.ui : nlohmann::json::object();
        if (want) {
            ui["view"] = true;
        } else {
            ui.erase("view");
        }
        changes[n.id] = {n.ui, ui};
    }
    if (changes.empty()) return;
    undo_->push(
        new SetUiDataCommand(model_.document(), std::move(changes),
                             target.isEmpty() ? tr("Clear view flag") : tr("View %1").arg(model_.title(id))));
}

QByteArray GraphEditor::fragmentJson(const QStringList& ids) const {
    sp::GraphDocument fragment;
    std::vector<std::string> keep;
    for (const auto& n : model_.document().nodes()) {
        if (!ids.contains(GraphModel::qs(n.id))) continue;
        sp::GraphNode copy = n;
        if (copy.ui.is_object()) copy.ui.erase("view");
        fragment.insertNode(std::move(copy));
        keep.push_back(n.id);
    }
    for (const sp::GraphLink& l : model_.document().links())
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
    undo_->push(
        new InsertNodesCommand(model_.document(), std::move(nodes), std::move(links),
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
