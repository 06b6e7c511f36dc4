#include "plugin/exec/executor.h"

#include <algorithm>
#include <set>
#include <system_error>

#include "plugin/exec/output_cache.h"
#include "plugin/graph/topology.h"
#include "plugin/sdk/hash.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace sv::plugin {

namespace {

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string nodeLabel(const GraphNode& n) {
    return concat("node '", n.id, "' (", n.type, ")");
}

/// Whether `v` is an acceptable value for a port of type `t`: plain kinds by value kind, registered object
/// types by their object tag (any object when the type names none).
bool fitsPort(const Value& v, const PortType& t, const NodeRegistry& registry) {
    if (t == PortType::Int) return v.kind() == Value::Kind::Int;
    if (t == PortType::Float) return v.kind() == Value::Kind::Float || v.kind() == Value::Kind::Int;
    if (t == PortType::Bool) return v.kind() == Value::Kind::Bool;
    if (t == PortType::String || t == PortType::Path || t == PortType::Enum)
        return v.kind() == Value::Kind::String;
    const PortTypeInfo* info = registry.findPortType(t);
    return v.isObject() && (!info || info->objectTag.empty() || v.typeTag() == info->objectTag);
}

}  // namespace

struct Executor::Cache : OutputCache {
    using OutputCache::OutputCache;
};

// ---- the context handed to a running node
// ------------------------------------------------------------------------

class Executor::Context : public NodeContext {
  public:
    Context(const EventSink& sink, ExecutionEvent base, std::stop_token stop, const fs::path& outputDir,
            const std::string& graphJson, uint64_t key, OutputCache& cache)
        : sink_(sink),
          base_(std::move(base)),
          stop_(std::move(stop)),
          outputDir_(outputDir),
          graphJson_(graphJson),
          key_(key),
          cache_(cache) {}

    void progress(int64_t k, int64_t n) override {
        auto now = Clock::now();
        ExecutionEvent e = make(ExecutionEvent::Kind::NodeProgress);
        e.step = lastStep_ = k;
        e.total = lastTotal_ = n;
        if (!firstProgress_) {
            firstProgress_ = now;
            firstStep_ = k;
        } else if (k > firstStep_ && n >= k) {
            double perStep =
                std::chrono::duration<double>(now - *firstProgress_).count() / double(k - firstStep_);
            e.etaSeconds = perStep * double(n - k);
        }
        emit(e);
    }
    void preview(PreviewImage image) override {
        ExecutionEvent e = make(ExecutionEvent::Kind::NodePreview);
        // The step the preview shows: the node's own, else the last progress reported.
        e.step = image.step > 0 ? image.step : lastStep_;
        e.total = image.step > 0 ? image.totalSteps : lastTotal_;
        e.image = std::make_shared<const PreviewImage>(std::move(image));
        emit(e);
    }
    void display(const Value& value) override {
        displayed_.push_back(value);
        ExecutionEvent e = make(ExecutionEvent::Kind::NodeDisplay);
        e.value = value;
        emit(e);
    }
    /// The values shown so far (kept with the outputs, so a cache hit shows them again).
    std::vector<Value> takeDisplayed() { return std::move(displayed_); }
    bool isCancelled() const override { return stop_.stop_requested(); }
    void log(LogLevel level, std::string_view text) override {
        ExecutionEvent e = make(ExecutionEvent::Kind::NodeLog);
        e.level = level;
        e.message = std::string(text);
        emit(e);
    }
    const fs::path& outputDir() const override { return outputDir_; }
    const std::string& nodeId() const override { return base_.nodeId; }
    uint64_t cacheKey() const override { return key_; }
    const std::string& graphJson() const override { return graphJson_; }
    size_t releaseCachedMemory(size_t bytesNeeded) override { return cache_.evict(bytesNeeded); }

  private:
    ExecutionEvent make(ExecutionEvent::Kind k) const {
        ExecutionEvent e;
        e.kind = k;
        e.runId = base_.runId;
        e.nodeId = base_.nodeId;
        e.nodeType = base_.nodeType;
        e.index = base_.index;
        e.count = base_.count;
        return e;
    }
    void emit(const ExecutionEvent& e) const {
        if (!sink_) return;
        try {
            sink_(e);
        } catch (...) {
            // A listener's failure must not break the run.
        }
    }

    const EventSink& sink_;
    ExecutionEvent base_;
    std::stop_token stop_;
    const fs::path& outputDir_;
    const std::string& graphJson_;
    uint64_t key_;
    OutputCache& cache_;
    std::optional<Clock::time_point> firstProgress_;
    int64_t firstStep_ = 0;
    int64_t lastStep_ = 0;
    int64_t lastTotal_ = 0;
    std::vector<Value> displayed_;
};

// ---- Executor
// ----------------------------------------------------------------------------------------------------

Executor::Executor(const NodeRegistry& registry, CacheLimits limits)
    : registry_(registry), cache_(std::make_unique<Cache>(limits)) {}

Executor::~Executor() = default;

size_t Executor::evict(size_t bytesNeeded) {
    return cache_->evict(bytesNeeded);
}
void Executor::clearCache() {
    cache_->clear();
}
CacheStats Executor::cacheStats() const {
    return cache_->stats();
}
void Executor::setCacheLimits(CacheLimits limits) {
    cache_->setLimits(limits);
}

std::vector<GraphIssue> Executor::issuesForRun(const GraphDocument& doc, const RunRequest& request) const {
    std::vector<std::string> order;
    return checkRun(doc, request, order);
}

std::vector<GraphIssue> Executor::checkRun(const GraphDocument& doc, const RunRequest& request,
                                           std::vector<std::string>& order) const {
    std::vector<GraphIssue> issues = validateGraph(doc, registry_);
    try {
        order = plan(doc, request);
    } catch (const Error& e) {
        // No plan: every issue counts. A cycle is named by validation too; say it once.
        order.clear();
        const bool named = std::any_of(issues.begin(), issues.end(),
                                       [&](const GraphIssue& issue) { return issue.message == e.what(); });
        if (!named) {
            GraphIssue why;
            why.kind = GraphIssue::Kind::UnknownTarget;
            why.message = e.what();
            issues.insert(issues.begin(), std::move(why));
        }
        return issues;
    }
    // Issues of nodes outside the plan do not matter, except unknown types: such a node might be an output
    // node whose work would silently be skipped.
    const std::set<std::string> planned(order.begin(), order.end());
    std::erase_if(issues, [&](const GraphIssue& issue) {
        return !issue.nodeId.empty() && !planned.count(issue.nodeId) &&
               issue.kind != GraphIssue::Kind::UnknownNodeType;
    });
    return issues;
}

std::vector<std::string> Executor::plan(const GraphDocument& doc, const RunRequest& request) const {
    std::vector<std::string> targets = request.targets;
    if (targets.empty()) {
        for (const auto& n : doc.nodes()) {
            const NodeDescriptor* d = registry_.find(n.type);
            if (d && d->isOutput && !n.bypass) targets.push_back(n.id);
        }
        if (targets.empty()) {
            for (const auto& n : doc.nodes()) {
                bool feeds = std::any_of(doc.links().begin(), doc.links().end(), [&](const GraphLink& l) {
                    return l.from.node == n.id && doc.findNode(l.to.node) != nullptr;
                });
                if (!feeds) targets.push_back(n.id);
            }
        }
    }
    for (const auto& t : targets) SV_CHECK(doc.findNode(t) != nullptr, "run: no node '", t, "' in the graph");
    // Inputs in descriptor order (then any other links), so the order is deterministic.
    return dependencyOrder(doc, targets, [&](const GraphNode& node, std::vector<GraphLink>& in) {
        const NodeDescriptor* d = registry_.find(node.type);
        if (!d) return;
        auto pos = [&](const std::string& port) {
            for (size_t i = 0; i < d->inputs.size(); ++i)
                if (d->inputs[i].name == port) return i;
            return d->inputs.size();
        };
        std::stable_sort(in.begin(), in.end(), [&](const GraphLink& a, const GraphLink& b) {
            return pos(a.to.port) < pos(b.to.port);
        });
    });
}

// ---- one run
// ----------------------------------------------------------------------------------------------------

/// The state of one Executor::run(): the plan, the values computed so far, the events and the result.
class Executor::Run {
  public:
    Run(Executor& executor, const GraphDocument& doc, const RunRequest& request, const EventSink& sink,
        std::stop_token stop)
        : ex_(executor), doc_(doc), request_(request), sink_(sink), stop_(std::move(stop)) {}

    RunResult execute() {
        ex_.cache_->beginRun();
        if (!planAndValidate())
            return finish(RunResult::Status::Invalid, ExecutionEvent::Kind::RunFailed, {}, result_.message);
        if (auto problem = prepareOutputDir()) {
            result_.message = *problem;
            return finish(RunResult::Status::Failed, ExecutionEvent::Kind::RunFailed, {}, result_.message);
        }
        graphJson_ = doc_.toText(2);
        countConsumers();
        for (size_t index = 0; index < order_.size(); ++index) {
            if (stop_.stop_requested())
                return finish(RunResult::Status::Cancelled, ExecutionEvent::Kind::RunCancelled, {}, {});
            if (auto ended = runNode(int(index))) return *ended;
        }
        return finish(RunResult::Status::Finished, ExecutionEvent::Kind::RunFinished, {}, {});
    }

  private:
    /// How one node ended when it ends the run (failure, cancel).
    using Ending = std::optional<RunResult>;

    void emit(ExecutionEvent e) const {
        e.runId = runId_;
        if (!sink_) return;
        try {
            sink_(e);
        } catch (...) {
            // A listener's failure must not break the run.
        }
    }

    RunResult finish(RunResult::Status status, ExecutionEvent::Kind kind, std::string nodeId,
                     std::string message) {
        result_.status = status;
        result_.durationSeconds = secondsSince(start_);
        if (status == RunResult::Status::Cancelled) result_.failedNode = nodeId;
        ExecutionEvent e;
        e.kind = kind;
        e.nodeId = std::move(nodeId);
        e.message = std::move(message);
        e.durationSeconds = result_.durationSeconds;
        emit(std::move(e));
        ex_.cache_->endRun();
        return result_;
    }

    /// Plans the run and validates the planned part; false (with result_.message set) when it cannot run.
    bool planAndValidate() {
        result_.issues = ex_.checkRun(doc_, request_, order_);
        ExecutionEvent started;
        started.kind = ExecutionEvent::Kind::RunStarted;
        started.nodes = order_;
        started.count = int(order_.size());
        emit(std::move(started));
        planned_.insert(order_.begin(), order_.end());
        if (!hasErrors(result_.issues)) return true;
        result_.message = formatErrors(result_.issues);
        return false;
    }

    std::optional<std::string> prepareOutputDir() {
        outputDir_ = request_.outputDir.empty() ? fs::current_path() : request_.outputDir;
        std::error_code ec;
        fs::create_directories(outputDir_, ec);
        if (ec || !fs::is_directory(outputDir_))
            return concat("cannot create the output folder ", outputDir_.string(), ": ", ec.message());
        return std::nullopt;
    }

    /// How many planned consumers each node's outputs have (to release them early), and the nodes whose
    /// outputs the result reports.
    void countConsumers() {
        for (const auto& id : order_)
            for (const auto& l : doc_.inputLinks(id))
                if (planned_.count(l.from.node)) ++consumers_[l.from.node];
        targets_.insert(request_.targets.begin(), request_.targets.end());
        if (targets_.empty())  // default targets: the planned nodes no planned node consumes
            for (const auto& id : order_)
                if (!consumers_.count(id)) targets_.insert(id);
    }

    Ending runNode(int index) {
        const std::string& id = order_[size_t(index)];
        const GraphNode& node = *doc_.findNode(id);
        const NodeDescriptor& desc = *ex_.registry_.find(node.type);
        base_ = ExecutionEvent{};
        base_.runId = runId_;
        base_.nodeId = id;
        base_.nodeType = node.type;
        base_.index = index;
        base_.count = int(order_.size());
        node_ = &node;
        ValueMap inputs;
        inputs.setLabel("input");
        if (auto problem = gatherInputs(node, desc, inputs)) return failNode(*problem, 0.0);
        ValueMap outputs;
        outputs.setLabel("output");
        if (node.bypass) {
            outputs = bypass(desc, inputs);
        } else if (auto ended = evaluateOrReuse(node, desc, inputs, outputs)) {
            return ended;
        }
        keep(id, std::move(outputs));
        return std::nullopt;
    }

    ExecutionEvent nodeEvent(ExecutionEvent::Kind k) const {
        ExecutionEvent e = base_;
        e.kind = k;
        return e;
    }

    RunResult failNode(const std::string& message, double duration) {
        ExecutionEvent e = nodeEvent(ExecutionEvent::Kind::NodeFailed);
        e.message = message;
        e.durationSeconds = duration;
        emit(std::move(e));
        result_.failedNode = base_.nodeId;
        result_.message = message;
        return finish(RunResult::Status::Failed, ExecutionEvent::Kind::RunFailed, base_.nodeId,
                      concat(nodeLabel(*node_), ": ", message));
    }

    RunResult cancelled() {
        return finish(RunResult::Status::Cancelled, ExecutionEvent::Kind::RunCancelled, base_.nodeId, {});
    }

    /// The values on the node's connected inputs; the problem when a required one received nothing.
    std::optional<std::string> gatherInputs(const GraphNode& node, const NodeDescriptor& desc,
                                            ValueMap& inputs) const {
        for (const auto& port : desc.inputs) {
            const GraphLink* link = doc_.inputLink(node.id, port.name);
            if (!link) continue;
            auto src = results_.find(link->from.node);
            const Value* v = src != results_.end() ? src->second.find(link->from.port) : nullptr;
            if (v && !v->isNone())
                inputs.set(port.name, *v);
            else if (!port.optional && !node.bypass)
                return concat("input '", port.name, "' received no value from ", link->from.node, ".",
                              link->from.port, " (a bypassed node with nothing to pass through?)");
        }
        return std::nullopt;
    }

    /// A bypassed node: each output takes the first connected input whose type can feed it.
    ValueMap bypass(const NodeDescriptor& desc, const ValueMap& inputs) const {
        ValueMap outputs;
        outputs.setLabel("output");
        for (const auto& out : desc.outputs) {
            for (const auto& in : desc.inputs) {
                if (!canConvert(in.type, out.type) || !inputs.has(in.name)) continue;
                outputs.set(out.name, inputs.get(in.name));
                break;
            }
        }
        ExecutionEvent e = nodeEvent(ExecutionEvent::Kind::NodeFinished);
        e.message = "bypassed";
        e.outputs = outputs;
        emit(std::move(e));
        return outputs;
    }

    /// Every parameter with defaults filled in, range-checked; throws sv::Error naming the parameter.
    static ValueMap resolveParams(const GraphNode& node, const NodeDescriptor& desc) {
        ValueMap params;
        params.setLabel("parameter");
        for (const auto& spec : desc.params) {
            auto it = node.params.find(spec.name);
            Value v = spec.fromJson(it == node.params.end() ? nlohmann::json() : *it);
            if (auto why = spec.checkValue(v); !why.empty()) fail("parameter '", spec.name, "': ", why);
            params.set(spec.name, std::move(v));
        }
        return params;
    }

    /// hash(type, version, params, fingerprint, input identities).
    static uint64_t cacheKey(const NodeDescriptor& desc, const ValueMap& params, const Node& instance,
                             const ValueMap& inputs) {
        Hasher h;
        h.add("node").add(desc.typeId).addU64(uint64_t(desc.version));
        for (const auto& [name, v] : params.entries()) h.add(name).addU64(v.hash());
        h.add(instance.fingerprint(params));
        for (const auto& port : desc.inputs) {
            const Value* v = inputs.find(port.name);
            h.add(port.name).addU64(v ? v->hash() : 0);
        }
        return h.value();
    }

    /// Serves the node from the cache or evaluates it; fills `outputs`, or returns how the run ended.
    Ending evaluateOrReuse(const GraphNode& node, const NodeDescriptor& desc, const ValueMap& inputs,
                           ValueMap& outputs) {
        ValueMap params;
        std::unique_ptr<Node> instance;
        uint64_t key = 0;
        try {
            params = resolveParams(node, desc);
            instance = ex_.registry_.create(node.type);
            key = cacheKey(desc, params, *instance, inputs);
        } catch (const std::exception& e) {
            return failNode(describeException(e), 0.0);
        } catch (...) {  // the factory and fingerprint() are plugin code
            return failNode("the node's factory or fingerprint() threw an unknown exception", 0.0);
        }
        ex_.cache_->pin(key);
        if (!desc.alwaysRun) {
            if (auto hit = ex_.cache_->lookup(key)) {
                outputs = std::move(hit->outputs);
                result_.cached.push_back(node.id);
                // What the node displayed when it ran is shown again, as if it had run.
                for (const Value& shown : hit->displays) {
                    ExecutionEvent d = nodeEvent(ExecutionEvent::Kind::NodeDisplay);
                    d.value = shown;
                    emit(std::move(d));
                }
                ExecutionEvent e = nodeEvent(ExecutionEvent::Kind::NodeCached);
                e.outputs = outputs;
                emit(std::move(e));
                return std::nullopt;
            }
        }
        return evaluate(desc, std::move(instance), inputs, params, key, outputs);
    }

    Ending evaluate(const NodeDescriptor& desc, std::unique_ptr<Node> instance, const ValueMap& inputs,
                    const ValueMap& params, uint64_t key, ValueMap& outputs) {
        emit(nodeEvent(ExecutionEvent::Kind::NodeStarted));
        const auto t0 = Clock::now();
        Context ctx(sink_, base_, stop_, outputDir_, graphJson_, key, *ex_.cache_);
        ValueMap produced;
        try {
            produced = instance->evaluate(inputs, params, ctx);
        } catch (const Cancelled&) {
            return cancelled();
        } catch (const std::exception& e) {
            if (stop_.stop_requested()) return cancelled();
            return failNode(describeException(e), secondsSince(t0));
        } catch (...) {
            return failNode("unknown exception (not a std::exception)", secondsSince(t0));
        }
        instance.reset();
        const double duration = secondsSince(t0);
        // A node that returned while the run was being cancelled may have stopped early: discard.
        if (stop_.stop_requested()) return cancelled();
        if (auto problem = checkOutputs(desc, produced, key, outputs)) return failNode(*problem, duration);
        if (!desc.alwaysRun) ex_.cache_->insert(key, outputs, ctx.takeDisplayed());
        result_.evaluated.push_back(base_.nodeId);
        ExecutionEvent e = nodeEvent(ExecutionEvent::Kind::NodeFinished);
        e.outputs = outputs;
        e.durationSeconds = duration;
        emit(std::move(e));
        return std::nullopt;
    }

    /// Checks that the node returned exactly its declared outputs, each fitting its port, and stamps them
    /// with identities derived from the cache key.
    std::optional<std::string> checkOutputs(const NodeDescriptor& desc, const ValueMap& produced,
                                            uint64_t key, ValueMap& outputs) const {
        for (const auto& [name, v] : produced.entries())
            if (!desc.findOutput(name)) return concat("returned an undeclared output '", name, "'");
        for (const auto& out : desc.outputs) {
            const Value* v = produced.find(out.name);
            if (!v || v->isNone()) return concat("returned no value for output '", out.name, "'");
            if (!fitsPort(*v, out.type, ex_.registry_))
                return concat("returned ", v->describe(), " for ", portTypeName(out.type), " output '",
                              out.name, "'");
            Value value = *v;
            if (out.type == PortType::Float && value.kind() == Value::Kind::Int)
                value = Value::fromFloat(value.toFloat());
            outputs.set(out.name, value.withIdentity(Hasher().addU64(key).add(out.name).value()));
        }
        return std::nullopt;
    }

    /// Keeps a node's outputs for its consumers and releases what no later planned node needs.
    void keep(const std::string& id, ValueMap outputs) {
        if (targets_.count(id)) result_.outputs[id] = outputs;
        results_[id] = std::move(outputs);
        for (const auto& l : doc_.inputLinks(id)) {
            auto c = consumers_.find(l.from.node);
            if (c != consumers_.end() && --c->second == 0 && !targets_.count(l.from.node))
                results_.erase(l.from.node);
        }
    }

    Executor& ex_;
    const GraphDocument& doc_;
    const RunRequest& request_;
    const EventSink& sink_;
    std::stop_token stop_;
    const Clock::time_point start_ = Clock::now();
    const uint64_t runId_ = ex_.nextRunId_++;
    RunResult result_;
    std::vector<std::string> order_;
    std::set<std::string> planned_;
    fs::path outputDir_;
    std::string graphJson_;
    std::map<std::string, int> consumers_;
    std::set<std::string> targets_;
    std::map<std::string, ValueMap> results_;
    ExecutionEvent base_;              // the event fields of the node being run
    const GraphNode* node_ = nullptr;  // the node being run
};

RunResult Executor::run(const GraphDocument& doc, const RunRequest& request, const EventSink& sink,
                        std::stop_token stop) {
    std::lock_guard runLock(runMutex_);
    return Run(*this, doc, request, sink, std::move(stop)).execute();
}

}  // namespace sv::plugin
