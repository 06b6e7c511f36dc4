#include "plugin/graph/graph_document.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "base/error.h"
#include "io/json_util.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace sv::plugin {

namespace {

std::string kindOf(const json& j) {
    if (j.is_object()) return "an object";
    if (j.is_array()) return "an array";
    if (j.is_string()) return "a string";
    if (j.is_boolean()) return "a bool";
    if (j.is_number()) return "a number";
    return "null";
}

/// Reads {"node": ..., "port": ...}; appends problems.
PortRef readPortRef(const json& j, const std::string& where, std::vector<std::string>& problems) {
    PortRef r;
    if (!j.is_object()) {
        problems.push_back(concat(where, " is ", kindOf(j), ", expected {\"node\": ..., \"port\": ...}"));
        return r;
    }
    auto node = j.find("node");
    auto port = j.find("port");
    if (node == j.end() || !node->is_string())
        problems.push_back(concat(where, ": \"node\" missing or not a string"));
    else
        r.node = node->get<std::string>();
    if (port == j.end() || !port->is_string())
        problems.push_back(concat(where, ": \"port\" missing or not a string"));
    else
        r.port = port->get<std::string>();
    return r;
}

}  // namespace

GraphDocument::GraphDocument(const GraphDocument& other)
    : formatVersion_(other.formatVersion_),
      nodes_(other.nodes_),
      links_(other.links_),
      metadata_(other.metadata_) {}

GraphDocument& GraphDocument::operator=(const GraphDocument& other) {
    if (this == &other) return *this;
    formatVersion_ = other.formatVersion_;
    nodes_ = other.nodes_;
    links_ = other.links_;
    metadata_ = other.metadata_;
    notify({GraphChange::Kind::Reset, {}, {}, {}});
    return *this;
}

GraphDocument::GraphDocument(GraphDocument&& other) noexcept
    : formatVersion_(other.formatVersion_),
      nodes_(std::move(other.nodes_)),
      links_(std::move(other.links_)),
      metadata_(std::move(other.metadata_)) {}

GraphDocument& GraphDocument::operator=(GraphDocument&& other) noexcept {
    if (this == &other) return *this;
    formatVersion_ = other.formatVersion_;
    nodes_ = std::move(other.nodes_);
    links_ = std::move(other.links_);
    metadata_ = std::move(other.metadata_);
    try {
        notify({GraphChange::Kind::Reset, {}, {}, {}});
    } catch (...) {
        // Observers must not throw; a move assignment cannot report it.
    }
    return *this;
}

// ---- load / save
// -------------------------------------------------------------------------------------------------

namespace {

/// One entry of "nodes"; structural problems are appended to `problems` (the node is kept for validation).
std::optional<GraphNode> readNode(const json& n, size_t i, std::vector<std::string>& problems) {
    const std::string where = concat("node ", i);
    if (!n.is_object()) {
        problems.push_back(concat(where, " is ", kindOf(n), ", expected an object"));
        return std::nullopt;
    }
    GraphNode node;
    auto id = n.find("id");
    auto type = n.find("type");
    if (id == n.end() || !id->is_string())
        problems.push_back(concat(where, ": \"id\" missing or not a string"));
    else
        node.id = id->get<std::string>();
    const std::string who = node.id.empty() ? where : concat(where, " ('", excerpt(node.id, 60), "')");
    if (type == n.end() || !type->is_string())
        problems.push_back(concat(who, ": \"type\" missing or not a string"));
    else
        node.type = type->get<std::string>();
    if (auto v = n.find("version"); v != n.end()) {
        if (v->is_number_integer() && v->get<int64_t>() >= 1 && v->get<int64_t>() <= 1000000)
            node.typeVersion = v->get<int>();
        else
            problems.push_back(concat(who, ": \"version\" is not a positive integer"));
    }
    if (auto p = n.find("params"); p != n.end() && !p->is_null()) {
        if (p->is_object())
            node.params = *p;
        else
            problems.push_back(concat(who, ": \"params\" is ", kindOf(*p), ", expected an object"));
    }
    if (auto b = n.find("bypass"); b != n.end() && !b->is_null()) {
        if (b->is_boolean())
            node.bypass = b->get<bool>();
        else
            problems.push_back(concat(who, ": \"bypass\" is ", kindOf(*b), ", expected a bool"));
    }
    if (auto u = n.find("ui"); u != n.end() && !u->is_null()) node.ui = *u;
    return node;
}

/// One entry of "links".
std::optional<GraphLink> readLink(const json& l, size_t i, std::vector<std::string>& problems) {
    const std::string where = concat("link ", i);
    if (!l.is_object()) {
        problems.push_back(concat(where, " is ", kindOf(l), ", expected an object"));
        return std::nullopt;
    }
    auto from = l.find("from");
    auto to = l.find("to");
    if (from == l.end() || to == l.end()) {
        problems.push_back(concat(where, ": needs \"from\" and \"to\""));
        return std::nullopt;
    }
    return GraphLink{readPortRef(*from, where + " \"from\"", problems),
                     readPortRef(*to, where + " \"to\"", problems)};
}

}  // namespace

GraphDocument GraphDocument::fromJson(const json& j, std::string_view source) {
    SV_CHECK(j.is_object(), source, ": a graph must be a JSON object, got ", kindOf(j));
    std::vector<std::string> problems;
    GraphDocument doc;

    if (auto f = j.find("format"); f != j.end() && (!f->is_string() || f->get<std::string>() != kFormatName))
        problems.push_back(
            concat("\"format\" is ", excerpt(f->dump(), 80), ", expected \"", kFormatName, "\""));
    auto ver = j.find("version");
    if (ver == j.end() || !ver->is_number_integer() || ver->get<int64_t>() < 1 ||
        ver->get<int64_t>() > 1000000)
        problems.push_back("\"version\" missing or not a positive integer");
    else
        doc.formatVersion_ = ver->get<int>();

    if (auto m = j.find("metadata"); m != j.end() && !m->is_null()) {
        if (m->is_object())
            doc.metadata_ = *m;
        else
            problems.push_back(concat("\"metadata\" is ", kindOf(*m), ", expected an object"));
    }

    auto nodes = j.find("nodes");
    if (nodes == j.end() || !nodes->is_array()) {
        problems.push_back("\"nodes\" missing or not an array");
    } else if (nodes->size() > kMaxNodes) {
        // Validation looks nodes and links up linearly: a hostile document of a million would take hours.
        problems.push_back(
            concat("\"nodes\" has ", nodes->size(), " entries; a graph may have at most ", kMaxNodes));
    } else {
        for (size_t i = 0; i < nodes->size(); ++i)
            if (auto node = readNode((*nodes)[i], i, problems)) doc.nodes_.push_back(std::move(*node));
    }

    if (auto links = j.find("links"); links != j.end() && !links->is_null()) {
        if (!links->is_array())
            problems.push_back(concat("\"links\" is ", kindOf(*links), ", expected an array"));
        else if (links->size() > kMaxLinks)
            problems.push_back(
                concat("\"links\" has ", links->size(), " entries; a graph may have at most ", kMaxLinks));
        else
            for (size_t i = 0; i < links->size(); ++i)
                if (auto link = readLink((*links)[i], i, problems)) doc.links_.push_back(std::move(*link));
    }

    if (!problems.empty()) {
        std::string msg = concat(source, ": not a valid graph document:");
        constexpr size_t kListed = 20;  // a hostile file can have thousands
        for (size_t i = 0; i < problems.size() && i < kListed; ++i) msg += "\n  " + problems[i];
        if (problems.size() > kListed) msg += concat("\n  … and ", problems.size() - kListed, " more");
        throw Error(msg);
    }
    return doc;
}

GraphDocument GraphDocument::load(const fs::path& path) {
    return parse(readFile(path), path.string());
}

std::string GraphDocument::readFile(const fs::path& path) {
    return io::readInputFile(path, io::InputKind::Graph);
}

GraphDocument GraphDocument::parse(std::string_view text, std::string_view source) {
    return fromJson(parseJsonLenient(text, source), source);
}

json GraphDocument::toJson() const {
    json nodes = json::array();
    for (const auto& n : nodes_) {
        json jn = {{"id", n.id}, {"type", n.type}, {"version", n.typeVersion}, {"params", n.params}};
        if (n.bypass) jn["bypass"] = true;
        if (!n.ui.is_null() && !(n.ui.is_object() && n.ui.empty())) jn["ui"] = n.ui;
        nodes.push_back(std::move(jn));
    }
    json links = json::array();
    for (const auto& l : links_)
        links.push_back({{"from", {{"node", l.from.node}, {"port", l.from.port}}},
                         {"to", {{"node", l.to.node}, {"port", l.to.port}}}});
    json out;
    out["format"] = kFormatName;
    out["version"] = std::max(formatVersion_, kFormatVersion);
    out["metadata"] = metadata_;
    out["nodes"] = std::move(nodes);
    out["links"] = std::move(links);
    return out;
}

std::string GraphDocument::toText(int indent) const {
    return toJson().dump(indent) + (indent >= 0 ? "\n" : "");
}

void GraphDocument::save(const fs::path& path) const {
    const std::string text = toText(2);
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        SV_CHECK(out.good(), "cannot write graph file ", tmp.string());
        out.write(text.data(), std::streamsize(text.size()));
        out.close();
        SV_CHECK(out.good(), "error writing graph file ", tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        fail("cannot write graph file ", path.string());
    }
}

// ---- queries
// ---------------------------------------------------------------------------------------------------

const GraphNode* GraphDocument::findNode(std::string_view id) const {
    for (const auto& n : nodes_)
        if (n.id == id) return &n;
    return nullptr;
}

const GraphLink* GraphDocument::inputLink(std::string_view node, std::string_view port) const {
    for (const auto& l : links_)
        if (l.to.node == node && l.to.port == port) return &l;
    return nullptr;
}

std::vector<GraphLink> GraphDocument::outputLinks(std::string_view node, std::string_view port) const {
    std::vector<GraphLink> out;
    for (const auto& l : links_)
        if (l.from.node == node && (port.empty() || l.from.port == port)) out.push_back(l);
    return out;
}

std::vector<GraphLink> GraphDocument::inputLinks(std::string_view node) const {
    std::vector<GraphLink> out;
    for (const auto& l : links_)
        if (l.to.node == node) out.push_back(l);
    return out;
}

bool GraphDocument::isValidNodeId(std::string_view id) {
    if (id.empty()) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-';
    });
}

std::string GraphDocument::uniqueNodeId(std::string_view stem) const {
    std::string base;
    for (char c : stem) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-';
        base.push_back(ok ? c : '_');
    }
    if (base.empty()) base = "node";
    if (!findNode(base)) return base;
    for (int k = 2;; ++k) {
        std::string id = concat(base, "_", k);
        if (!findNode(id)) return id;
    }
}

// ---- edits
// -----------------------------------------------------------------------------------------------------

GraphNode& GraphDocument::nodeRef(std::string_view id, std::string_view what) {
    for (auto& n : nodes_)
        if (n.id == id) return n;
    fail(what, ": no node '", id, "' in the graph");
}

std::string GraphDocument::addNode(std::string type, int typeVersion, json params, json ui, std::string id) {
    if (id.empty()) {
        std::string_view stem = type;
        if (auto dot = stem.rfind('.'); dot != std::string_view::npos) stem = stem.substr(dot + 1);
        id = uniqueNodeId(stem);
    }
    GraphNode node;
    node.id = id;
    node.type = std::move(type);
    node.typeVersion = typeVersion;
    node.params = params.is_null() ? json::object() : std::move(params);
    node.ui = ui.is_null() ? json::object() : std::move(ui);
    insertNode(std::move(node));
    return id;
}

void GraphDocument::insertNode(GraphNode node) {
    SV_CHECK(isValidNodeId(node.id), "add node: invalid node id '", node.id,
             "' (use letters, digits, '_' and '-')");
    SV_CHECK(!findNode(node.id), "add node: a node '", node.id, "' already exists");
    SV_CHECK(!node.type.empty(), "add node '", node.id, "': empty node type");
    SV_CHECK(node.params.is_object(), "add node '", node.id, "': params must be a JSON object");
    nodes_.push_back(std::move(node));
    notify({GraphChange::Kind::NodeAdded, nodes_.back().id, {}, {}});
}

GraphDocument::RemovedNode GraphDocument::removeNode(std::string_view id) {
    nodeRef(id, "remove node");
    RemovedNode removed;
    const std::string nodeId(id);
    for (size_t i = 0; i < links_.size();) {
        if (links_[i].from.node == nodeId || links_[i].to.node == nodeId) {
            GraphLink l = links_[i];
            links_.erase(links_.begin() + ptrdiff_t(i));
            removed.links.push_back(l);
            notify({GraphChange::Kind::LinkRemoved, {}, {}, l});
        } else {
            ++i;
        }
    }
    auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](const GraphNode& n) { return n.id == nodeId; });
    removed.node = std::move(*it);
    nodes_.erase(it);
    notify({GraphChange::Kind::NodeRemoved, nodeId, {}, {}});
    return removed;
}

json GraphDocument::setParam(std::string_view id, std::string_view name, json value) {
    GraphNode& n = nodeRef(id, "set parameter");
    SV_CHECK(!name.empty(), "set parameter on node '", id, "': empty parameter name");
    const std::string key(name);
    json previous = n.params.contains(key) ? n.params[key] : json();
    if (previous == value) return previous;
    if (value.is_null())
        n.params.erase(key);
    else
        n.params[key] = std::move(value);
    notify({GraphChange::Kind::ParamChanged, std::string(id), key, {}});
    return previous;
}

std::optional<GraphLink> GraphDocument::connect(PortRef from, PortRef to) {
    nodeRef(from.node, "connect");
    nodeRef(to.node, "connect");
    SV_CHECK(!from.port.empty() && !to.port.empty(), "connect ", from.node, " -> ", to.node,
             ": empty port name");
    GraphLink link{std::move(from), std::move(to)};
    std::optional<GraphLink> replaced;
    for (size_t i = 0; i < links_.size(); ++i) {
        if (links_[i].to == link.to) {
            if (links_[i] == link) return std::nullopt;  // already exactly this link
            replaced = links_[i];
            links_.erase(links_.begin() + ptrdiff_t(i));
            notify({GraphChange::Kind::LinkRemoved, {}, {}, *replaced});
            break;
        }
    }
    links_.push_back(link);
    notify({GraphChange::Kind::LinkAdded, {}, {}, link});
    return replaced;
}

std::optional<GraphLink> GraphDocument::disconnect(const PortRef& to) {
    for (size_t i = 0; i < links_.size(); ++i) {
        if (links_[i].to == to) {
            GraphLink l = links_[i];
            links_.erase(links_.begin() + ptrdiff_t(i));
            notify({GraphChange::Kind::LinkRemoved, {}, {}, l});
            return l;
        }
    }
    return std::nullopt;
}

bool GraphDocument::removeLink(const GraphLink& link) {
    auto it = std::find(links_.begin(), links_.end(), link);
    if (it == links_.end()) return false;
    GraphLink l = *it;
    links_.erase(it);
    notify({GraphChange::Kind::LinkRemoved, {}, {}, l});
    return true;
}

json GraphDocument::setNodeUiData(std::string_view id, json ui) {
    GraphNode& n = nodeRef(id, "set UI data");
    json previous = std::move(n.ui);
    n.ui = std::move(ui);
    notify({GraphChange::Kind::UiDataChanged, std::string(id), {}, {}});
    return previous;
}

bool GraphDocument::setBypass(std::string_view id, bool bypass) {
    GraphNode& n = nodeRef(id, "set bypass");
    bool previous = n.bypass;
    if (previous == bypass) return previous;
    n.bypass = bypass;
    notify({GraphChange::Kind::BypassChanged, std::string(id), {}, {}});
    return previous;
}

json GraphDocument::setMetadata(json metadata) {
    SV_CHECK(metadata.is_object() || metadata.is_null(), "graph metadata must be a JSON object");
    json previous = std::move(metadata_);
    metadata_ = metadata.is_null() ? json::object() : std::move(metadata);
    notify({GraphChange::Kind::MetadataChanged, {}, {}, {}});
    return previous;
}

// ---- observers
// -----------------------------------------------------------------------------------------------

GraphDocument::ObserverId GraphDocument::addObserver(Observer observer) {
    ObserverId id = nextObserverId_++;
    observers_.emplace_back(id, std::move(observer));
    return id;
}

void GraphDocument::removeObserver(ObserverId id) {
    std::erase_if(observers_, [id](const auto& o) { return o.first == id; });
}

void GraphDocument::notify(const GraphChange& change) const {
    for (const auto& [id, fn] : observers_)
        if (fn) fn(change);
}

}  // namespace sv::plugin
