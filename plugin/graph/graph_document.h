// GraphDocument: the node graph as data (nodes, parameters, links, opaque UI data, metadata) with versioned
// JSON load/save, an edit API for the editor's undo commands, and change notification through plain
// callbacks.
//
// The document knows nothing about node types: parameters are stored as JSON as written, and type checks
// happen in validateGraph() (graph/validation.h) against a NodeRegistry.
//
// JSON format (version 1):
//   {
//     "format": "sanavideo.graph", "version": 1,
//     "metadata": { ... anything ... },
//     "nodes": [ { "id": "sampler", "type": "sana.sampler", "version": 1,
//                  "params": { "steps": 50, "seed": 42 }, "bypass": false, "ui": { "pos": [120, 80] } } ],
//     "links": [ { "from": { "node": "encode", "port": "conditioning" },
//                  "to":   { "node": "sampler", "port": "conditioning" } } ]
//   }
// "bypass", "params", "ui", "metadata", "links" are optional on read. Unknown top-level keys are ignored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sv::plugin {

/// One node of the document.
struct GraphNode {
    std::string id;       ///< unique in the document, [A-Za-z0-9_-]+ (no '.', so "--set id.param=v" parses)
    std::string type;     ///< node type id ("sana.sampler")
    int typeVersion = 1;  ///< the descriptor version it was saved with
    nlohmann::json params = nlohmann::json::object();  ///< name → JSON value; absent → the param's default
    bool bypass = false;
    nlohmann::json ui =
        nlohmann::json::object();  ///< opaque to everything but the editor (position, colour, ...)

    friend bool operator==(const GraphNode&, const GraphNode&) = default;
};

/// One end of a link.
struct PortRef {
    std::string node;
    std::string port;
    friend bool operator==(const PortRef&, const PortRef&) = default;
};

/// A link from an output port to an input port. An input holds at most one link; an output may feed many.
struct GraphLink {
    PortRef from;  ///< output side
    PortRef to;    ///< input side
    friend bool operator==(const GraphLink&, const GraphLink&) = default;
};

/// What changed; delivered to observers after the change was made.
struct GraphChange {
    enum class Kind : uint8_t {
        NodeAdded,        ///< nodeId
        NodeRemoved,      ///< nodeId (its links were removed first, each with LinkRemoved)
        ParamChanged,     ///< nodeId, name (the parameter)
        BypassChanged,    ///< nodeId
        UiDataChanged,    ///< nodeId
        LinkAdded,        ///< link
        LinkRemoved,      ///< link
        MetadataChanged,  ///<
        Reset,            ///< the whole document was replaced (assignment / load): re-read everything
    };
    Kind kind;
    std::string nodeId;
    std::string name;
    GraphLink link;
};

class GraphDocument {
  public:
    /// The format version this build writes and the newest it understands.
    static constexpr int kFormatVersion = 1;
    /// The "format" marker.
    static constexpr std::string_view kFormatName = "sanavideo.graph";
    /// The most nodes and links a loaded document may have (real graphs have tens; validation looks nodes and
    /// links up linearly, so a hostile file with a million of each would take hours to check).
    static constexpr size_t kMaxNodes = 4096;
    static constexpr size_t kMaxLinks = 16384;

    using Observer = std::function<void(const GraphChange&)>;
    using ObserverId = uint64_t;

    GraphDocument() = default;
    /// Copies and assignment copy the data but NOT the observers (a copy taken for a run notifies nobody).
    /// Assigning into a document notifies its observers with Reset.
    GraphDocument(const GraphDocument& other);
    GraphDocument& operator=(const GraphDocument& other);
    GraphDocument(GraphDocument&& other) noexcept;
    GraphDocument& operator=(GraphDocument&& other) noexcept;
    ~GraphDocument() = default;

    // ---- load / save
    // ----------------------------------------------------------------------------------------
    /// Parses a document. Lenient about content so that the editor can open and repair anything readable:
    /// duplicate ids, dangling links, unknown types and a newer "version" are kept and reported by
    /// validateGraph(). Throws sv::Error (naming `source` and listing every structural problem: node N
    /// without "type", link N without "to", wrong JSON kinds) when it is not a graph at all.
    static GraphDocument fromJson(const nlohmann::json& j, std::string_view source = "graph");
    /// Reads a file (errors name it).
    static GraphDocument load(const std::filesystem::path& path);
    /// The text of a graph file, read with the engine's input checks: a folder, FIFO or device is refused
    /// before it is opened (nothing blocks), and so is a file larger than 64 MiB. Throws sv::Error naming the
    /// file and the real problem.
    static std::string readFile(const std::filesystem::path& path);
    /// Parses JSON text.
    static GraphDocument parse(std::string_view text, std::string_view source = "graph");
    /// Serializes with "version" kFormatVersion, or the version read when that was newer (so saving never
    /// claims a newer file was understood).
    nlohmann::json toJson() const;
    std::string toText(int indent = 2) const;
    /// Writes the file atomically (temp file + rename); throws sv::Error naming the path on failure.
    void save(const std::filesystem::path& path) const;

    /// The format version read from the file (kFormatVersion for a new document).
    int formatVersion() const { return formatVersion_; }

    // ---- queries
    // ----------------------------------------------------------------------------------------------
    const std::vector<GraphNode>& nodes() const { return nodes_; }
    const std::vector<GraphLink>& links() const { return links_; }
    const nlohmann::json& metadata() const { return metadata_; }
    /// The first node with this id, or nullptr.
    const GraphNode* findNode(std::string_view id) const;
    /// The link feeding input `port` of `node`, or nullptr.
    const GraphLink* inputLink(std::string_view node, std::string_view port) const;
    /// Links leaving `node` (from any output port when `port` is empty).
    std::vector<GraphLink> outputLinks(std::string_view node, std::string_view port = {}) const;
    /// Links entering `node`.
    std::vector<GraphLink> inputLinks(std::string_view node) const;
    /// An id not used yet: `stem` itself if free, else stem_2, stem_3, ... (invalid characters become '_').
    std::string uniqueNodeId(std::string_view stem) const;
    /// Whether `id` is a syntactically valid node id.
    static bool isValidNodeId(std::string_view id);

    // ---- edits (each notifies the observers; sv::Error for unknown node ids or invalid ids)
    // -------------------
    /// Adds a node; `id` empty → uniqueNodeId(last segment of type). Returns the id. Throws when `id` exists.
    std::string addNode(std::string type, int typeVersion = 1,
                        nlohmann::json params = nlohmann::json::object(),
                        nlohmann::json ui = nlohmann::json::object(), std::string id = {});
    /// Adds a complete node record (undo of removeNode). Throws when its id exists or is invalid.
    void insertNode(GraphNode node);
    /// What removeNode took away, for undo: insertNode(node) then connect() each link.
    struct RemovedNode {
        GraphNode node;
        std::vector<GraphLink> links;
    };
    /// Removes a node and every link touching it (LinkRemoved for each, then NodeRemoved).
    RemovedNode removeNode(std::string_view id);
    /// Sets a parameter's JSON value; a null value removes the entry (the default applies). Returns the
    /// previous value (null when it was unset). No notification when the value does not change.
    nlohmann::json setParam(std::string_view id, std::string_view name, nlohmann::json value);
    /// Connects output `from` to input `to`, replacing the link that fed `to` (LinkRemoved then LinkAdded).
    /// Both nodes must exist; port names and types are not checked here (see checkConnection()). Returns the
    /// replaced link.
    std::optional<GraphLink> connect(PortRef from, PortRef to);
    /// Removes the link feeding input `to`; returns it (nullopt when there was none).
    std::optional<GraphLink> disconnect(const PortRef& to);
    /// Removes one exact link; returns whether it existed.
    bool removeLink(const GraphLink& link);
    /// Replaces a node's opaque UI data; returns the previous data.
    nlohmann::json setNodeUiData(std::string_view id, nlohmann::json ui);
    /// Sets the bypass flag; returns the previous flag.
    bool setBypass(std::string_view id, bool bypass);
    /// Replaces the graph-level metadata (any JSON object); returns the previous metadata.
    nlohmann::json setMetadata(nlohmann::json metadata);

    // ---- observers
    // ----------------------------------------------------------------------------------------------
    /// Registers a callback called synchronously after every change, in registration order. Observers must
    /// not add or remove observers from inside the callback.
    ObserverId addObserver(Observer observer);
    void removeObserver(ObserverId id);

  private:
    GraphNode& nodeRef(std::string_view id, std::string_view what);
    void notify(const GraphChange& change) const;

    int formatVersion_ = kFormatVersion;
    std::vector<GraphNode> nodes_;
    std::vector<GraphLink> links_;
    nlohmann::json metadata_ = nlohmann::json::object();
    std::vector<std::pair<ObserverId, Observer>> observers_;
    ObserverId nextObserverId_ = 1;
};

}  // namespace sv::plugin
