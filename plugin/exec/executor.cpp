#include "plugin/exec/executor.h"

#include <algorithm>
#include <set>
#include <system_error>

#include "plugin/exec/output_cache.h"
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

/// Whether `v` is an acceptable value for a port of type `t`.
bool fitsPort(const Value& v, PortType t) {
    switch (t) {
        case PortType::Int:
            return v.kind() == Value::Kind::Int;
        case PortType::Float:
            return v.kind() == Value::Kind::Float || v.kind() == Value::Kind::Int;
        case PortType::Bool:
            return v.kind() == Value::Kind::Bool;
        case PortType::String:
        case PortType::Path:
        case PortType::Enum:
            return v.kind() == Value::Kind::String;
        case PortType::Image:
            return v.isObject() && v.typeTag() == kImageTag;
        case PortType::Video:
            return v.isObject() && v.typeTag() == kVideoTag;
        default:
            return v.isObject();
    }
}

}  // namespace

std::string_view runStatusName(RunResult::Status s) {
    switch (s) {
        case RunResult::Status::Finished:
            return "finished";
        case RunResult::Status::Cancelled:
            return "cancelled";
        case RunResult::Status::Failed:
            return "failed";
        case RunResult::Status::Invalid:
            return "invalid";
    }
    return "?";
}

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
        ExecutionEvent e = make(ExecutionEvent::Kind::NodeDisplay);
        e.value = value;
        emit(e);
    }
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
CacheLimits Executor::cacheLimits() const {
    return cache_->limits();
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

    // Depth-first post-order over input links, inputs in descriptor order (then any other links), so the
    // order is deterministic; grey nodes on the stack detect cycles.
    std::vector<std::string> order;
    std::set<std::string> done, onStack;
    std::vector<std::string> path;
    auto visit = [&](auto& self, const std::string& id) -> void {
        if (done.count(id)) return;
        if (onStack.count(id)) {
            std::string cycle;
            auto it = std::find(path.begin(), path.end(), id);
            for (; it != path.end(); ++it) cycle += *it + " -> ";
            fail("cycle in the graph through nodes ", cycle, id);
        }
        onStack.insert(id);
        path.push_back(id);
        const GraphNode* node = doc.findNode(id);
        std::vector<GraphLink> in = doc.inputLinks(id);
        if (const NodeDescriptor* d = registry_.find(node->type)) {
            std::stable_sort(in.begin(), in.end(), [&](const GraphLink& a, const GraphLink& b) {
                auto pos = [&](const std::string& port) {
                    for (size_t i = 0; i < d->inputs.size(); ++i)
                        if (d->inputs[i].name == port) return i;
                    return d->inputs.size();
                };
                return pos(a.to.port) < pos(b.to.port);
            });
        }
        for (const auto& l : in)
            if (doc.findNode(l.from.node)) self(self, l.from.node);
        path.pop_back();
        onStack.erase(id);
        done.insert(id);
        order.push_back(id);
    };
    for (const auto& t : targets) visit(visit, t);
    return order;
}

RunResult Executor::run(const GraphDocument& doc, const RunRequest& request, const EventSink& sink,
                        std::stop_token stop) {
    std::lock_guard runLock(runMutex_);
    const auto runStart = Clock::now();
    cache_->beginRun();
    const uint64_t runId = nextRunId_++;
    RunResult result;

    auto emit = [&](ExecutionEvent e) {
        e.runId = runId;
        if (!sink) return;
        try {
            sink(e);
        } catch (...) {
        }
    };
    auto finish = [&](RunResult::Status status, ExecutionEvent::Kind kind, std::string nodeId,
                      std::string message) {
        result.status = status;
        result.durationSeconds = secondsSince(runStart);
        if (status == RunResult::Status::Cancelled) result.failedNode = nodeId;
        ExecutionEvent e;
        e.kind = kind;
        e.nodeId = std::move(nodeId);
        e.message = std::move(message);
        e.durationSeconds = result.durationSeconds;
        emit(std::move(e));
        cache_->endRun();
        return result;
    };

    // ---- plan + validate ----
    std::vector<std::string> order;
    std::string planError;
    try {
        order = plan(doc, request);
    } catch (const Error& e) {
        planError = e.what();
    }
    {
        ExecutionEvent e;
        e.kind = ExecutionEvent::Kind::RunStarted;
        e.nodes = order;
        e.count = int(order.size());
        emit(std::move(e));
    }
    const std::set<std::string> planned(order.begin(), order.end());
    std::vector<GraphIssue> blocking;
    for (auto& issue : validateGraph(doc, registry_)) {
        // Issues of nodes outside the plan do not matter, except unknown types: such a node might be an
        // output node whose work would silently be skipped.
        if (!issue.nodeId.empty() && !planned.count(issue.nodeId) &&
            issue.kind != GraphIssue::Kind::UnknownNodeType)
            continue;
        if (issue.isError()) blocking.push_back(issue);
        result.issues.push_back(std::move(issue));
    }
    if (!planError.empty() || !blocking.empty()) {
        result.message =
            planError.empty() ? formatIssues(blocking) : planError + "\n" + formatIssues(blocking);
        while (!result.message.empty() && result.message.back() == '\n') result.message.pop_back();
        return finish(RunResult::Status::Invalid, ExecutionEvent::Kind::RunFailed, {}, result.message);
    }

    fs::path outputDir = request.outputDir.empty() ? fs::current_path() : request.outputDir;
    {
        std::error_code ec;
        fs::create_directories(outputDir, ec);
        if (ec || !fs::is_directory(outputDir)) {
            result.message =
                concat("cannot create the output folder ", outputDir.string(), ": ", ec.message());
            return finish(RunResult::Status::Failed, ExecutionEvent::Kind::RunFailed, {}, result.message);
        }
    }
    const std::string graphJson = doc.toText(2);

    // How many planned consumers each node's outputs still have (to release them early).
    std::map<std::string, int> consumers;
    for (const auto& id : order)
        for (const auto& l : doc.inputLinks(id))
            if (planned.count(l.from.node)) ++consumers[l.from.node];
    std::set<std::string> targets(request.targets.begin(), request.targets.end());
    if (targets.empty())  // default targets: the planned nodes no planned node consumes
        for (const auto& id : order)
            if (!consumers.count(id)) targets.insert(id);
    std::map<std::string, ValueMap> results;

    const int count = int(order.size());
    for (int index = 0; index < count; ++index) {
        const std::string& id = order[size_t(index)];
        const GraphNode& node = *doc.findNode(id);
        const NodeDescriptor& desc = *registry_.find(node.type);
        if (stop.stop_requested())
            return finish(RunResult::Status::Cancelled, ExecutionEvent::Kind::RunCancelled, {}, {});

        ExecutionEvent base;
        base.runId = runId;
        base.nodeId = id;
        base.nodeType = node.type;
        base.index = index;
        base.count = count;
        auto nodeEvent = [&](ExecutionEvent::Kind k) {
            ExecutionEvent e = base;
            e.kind = k;
            return e;
        };
        auto failNode = [&](std::string message, double duration) {
            ExecutionEvent e = nodeEvent(ExecutionEvent::Kind::NodeFailed);
            e.message = message;
            e.durationSeconds = duration;
            emit(std::move(e));
            result.failedNode = id;
            result.message = message;
            return finish(RunResult::Status::Failed, ExecutionEvent::Kind::RunFailed, id,
                          concat(nodeLabel(node), ": ", message));
        };

        // ---- inputs ----
        ValueMap inputs;
        inputs.setLabel("input");
        std::string inputProblem;
        for (const auto& port : desc.inputs) {
            const GraphLink* link = doc.inputLink(id, port.name);
            if (!link) continue;
            auto src = results.find(link->from.node);
            const Value* v = src != results.end() ? src->second.find(link->from.port) : nullptr;
            if (v && !v->isNone()) {
                inputs.set(port.name, *v);
            } else if (!port.optional && !node.bypass) {
                inputProblem = concat("input '", port.name, "' received no value from ", link->from.node, ".",
                                      link->from.port, " (a bypassed node with nothing to pass through?)");
            }
        }
        if (!inputProblem.empty()) return failNode(inputProblem, 0.0);

        ValueMap outputs;
        outputs.setLabel("output");
        if (node.bypass) {
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
        } else {
            // ---- params ----
            ValueMap params;
            params.setLabel("parameter");
            try {
                for (const auto& spec : desc.params) {
                    auto it = node.params.find(spec.name);
                    Value v = spec.fromJson(it == node.params.end() ? nlohmann::json() : *it);
                    if (auto why = spec.checkValue(v); !why.empty())
                        fail("parameter '", spec.name, "': ", why);
                    params.set(spec.name, std::move(v));
                }
            } catch (const Error& e) {
                return failNode(e.what(), 0.0);
            }

            std::unique_ptr<Node> instance;
            Hasher h;
            try {
                instance = registry_.create(node.type);
                h.add("node").add(desc.typeId).addU64(uint64_t(desc.version));
                for (const auto& [name, v] : params.entries()) h.add(name).addU64(v.hash());
                h.add(instance->fingerprint(params));
                for (const auto& port : desc.inputs) {
                    const Value* v = inputs.find(port.name);
                    h.add(port.name).addU64(v ? v->hash() : 0);
                }
            } catch (const std::exception& e) {
                return failNode(describeException(e), 0.0);
            } catch (...) {  // the factory and fingerprint() are plugin code
                return failNode("the node's factory or fingerprint() threw an unknown exception", 0.0);
            }
            const uint64_t key = h.value();
            cache_->pin(key);

            std::optional<ValueMap> hit;
            if (!desc.alwaysRun) hit = cache_->lookup(key);
            if (hit) {
                outputs = std::move(*hit);
                result.cached.push_back(id);
                ExecutionEvent e = nodeEvent(ExecutionEvent::Kind::NodeCached);
                e.outputs = outputs;
                emit(std::move(e));
            } else {
                emit(nodeEvent(ExecutionEvent::Kind::NodeStarted));
                const auto t0 = Clock::now();
                Context ctx(sink, base, stop, outputDir, graphJson, key, *cache_);
                ValueMap produced;
                try {
                    produced = instance->evaluate(inputs, params, ctx);
                } catch (const Cancelled&) {
                    return finish(RunResult::Status::Cancelled, ExecutionEvent::Kind::RunCancelled, id, {});
                } catch (const std::exception& e) {
                    if (stop.stop_requested())
                        return finish(RunResult::Status::Cancelled, ExecutionEvent::Kind::RunCancelled, id,
                                      {});
                    return failNode(describeException(e), secondsSince(t0));
                } catch (...) {
                    return failNode("unknown exception (not a std::exception)", secondsSince(t0));
                }
                instance.reset();
                const double duration = secondsSince(t0);
                // A node that returned while the run was being cancelled may have stopped early: discard.
                if (stop.stop_requested())
                    return finish(RunResult::Status::Cancelled, ExecutionEvent::Kind::RunCancelled, id, {});

                std::string problem;
                for (const auto& [name, v] : produced.entries())
                    if (!desc.findOutput(name))
                        problem = concat("returned an undeclared output '", name, "'");
                for (const auto& out : desc.outputs) {
                    const Value* v = produced.find(out.name);
                    if (!v || v->isNone()) {
                        problem = concat("returned no value for output '", out.name, "'");
                    } else if (!fitsPort(*v, out.type)) {
                        problem = concat("returned ", v->describe(), " for ", portTypeName(out.type),
                                         " output '", out.name, "'");
                    } else {
                        Value value = *v;
                        if (out.type == PortType::Float && value.kind() == Value::Kind::Int)
                            value = Value::fromFloat(value.toFloat());
                        outputs.set(out.name, value.withIdentity(Hasher().addU64(key).add(out.name).value()));
                    }
                }
                if (!problem.empty()) return failNode(problem, duration);
                if (!desc.alwaysRun) cache_->insert(key, outputs);
                result.evaluated.push_back(id);
                ExecutionEvent e = nodeEvent(ExecutionEvent::Kind::NodeFinished);
                e.outputs = outputs;
                e.durationSeconds = duration;
                emit(std::move(e));
            }
        }

        if (targets.count(id)) result.outputs[id] = outputs;
        results[id] = std::move(outputs);
        // Release what no later planned node needs.
        for (const auto& l : doc.inputLinks(id)) {
            auto c = consumers.find(l.from.node);
            if (c != consumers.end() && --c->second == 0 && !targets.count(l.from.node))
                results.erase(l.from.node);
        }
    }
    return finish(RunResult::Status::Finished, ExecutionEvent::Kind::RunFinished, {}, {});
}

}  // namespace sv::plugin
