#include "plugin/farm/sweep_runner.h"

#include <algorithm>
#include <chrono>

#include "base/error.h"
#include "plugin/farm/input_paths.h"

namespace sv::farm {

namespace {

constexpr std::string_view kFilenameParam = "filename";

std::string runMessage(const sp::RunResult& r) {
    if (r.status == sp::RunResult::Status::Cancelled) return "cancelled";
    if (r.status == sp::RunResult::Status::Invalid) return concat("the graph is invalid: ", r.message);
    if (!r.failedNode.empty()) return concat("node '", r.failedNode, "' failed: ", r.message);
    return r.message;
}

void removeAll(const fs::path& p) {
    std::error_code ec;
    fs::remove_all(p, ec);
}

/// Removes a variant's temporary folder, and for a local sweep (the only writer) the .partial folder when it
/// is left empty. Farm tasks share .partial, so they leave it.
void removePartial(const fs::path& partial, bool shared) {
    removeAll(partial);
    std::error_code ec;
    if (!shared) fs::remove(partial.parent_path(), ec);  // fails, harmlessly, when not empty
}

}  // namespace

SweepRunner::SweepRunner(const sp::NodeRegistry& registry, sp::GraphDocument base, SweepRunnerOptions options,
                         RunGraphFn run)
    : registry_(registry), base_(std::move(base)), options_(std::move(options)), run_(std::move(run)) {
    SV_ASSERT_MSG(bool(run_), "SweepRunner needs a run function");
    for (const sp::GraphNode& n : base_.nodes()) {
        const sp::NodeDescriptor* d = registry_.find(n.type);
        if (!d || !d->isOutput || n.bypass) continue;
        const sp::ParamSpec* p = d->findParam(kFilenameParam);
        if (p && p->type == sp::PortType::String) outputNodes_.push_back(n.id);
    }
}

sp::GraphDocument SweepRunner::variantGraph(const Variant& variant) const {
    sp::GraphDocument doc = base_;
    applyVariant(doc, variant);
    for (const std::string& id : outputNodes_)
        doc.setParam(id, kFilenameParam, outputNodes_.size() == 1 ? variant.name : variant.name + "_" + id);
    return doc;
}

bool SweepRunner::isDone(const Variant& variant) const {
    if (options_.stateDir.empty()) return false;
    const auto record = readVariantRecord(options_.stateDir / (variant.name + ".json"));
    if (!record || record->state != VariantRecord::State::Done) return false;
    std::error_code ec;
    for (const std::string& o : record->outputs)
        if (!fs::exists(options_.outputDir / o, ec)) return false;
    return true;
}

VariantOutcome SweepRunner::run(const Variant& variant, const sp::EventSink& sink) {
    VariantRecord record;
    record.name = variant.name;
    record.index = variant.index;
    record.task = options_.task;
    record.host = hostName();
    record.submission = options_.submission;
    if (isDone(variant)) {
        VariantOutcome skipped{VariantRecord::State::Done, true, {}, {}, {}};
        if (auto earlier = readVariantRecord(options_.stateDir / (variant.name + ".json")))
            for (const std::string& o : earlier->outputs) skipped.outputs.push_back(options_.outputDir / o);
        return skipped;
    }
    record.started = utcNow();
    writeRecord(record);
    const auto start = std::chrono::steady_clock::now();
    VariantOutcome outcome;
    try {
        outcome = runFresh(variant, sink, record);
    } catch (const Error& e) {
        outcome.state = VariantRecord::State::Failed;
        outcome.message = e.what();
    }
    record.state = outcome.state;
    record.message = outcome.message;
    if (record.node.empty() && outcome.state == VariantRecord::State::Failed)
        record.node = outcome.run.failedNode;
    for (const fs::path& p : outcome.outputs) record.outputs.push_back(p.filename().string());
    record.finished = utcNow();
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    writeRecord(record);
    return outcome;
}

VariantOutcome SweepRunner::runFresh(const Variant& variant, const sp::EventSink& sink,
                                     VariantRecord& record) {
    VariantOutcome outcome;
    const sp::GraphDocument doc = variantGraph(variant);
    const auto problems = unreadableInputs(doc, registry_);
    if (!problems.empty()) {
        outcome.message = concat(problems.front().describe(), " on host ", hostName());
        record.node = problems.front().node;
        return outcome;
    }
    const fs::path partial = options_.outputDir / ".partial" / variant.name;
    removeAll(partial);  // what a killed earlier run of this variant left
    std::error_code ec;
    fs::create_directories(partial, ec);
    SV_CHECK(!ec, "cannot create ", partial.string(), ": ", ec.message());

    sp::RunRequest request;
    request.outputDir = partial;
    outcome.run = run_(doc, request, sink);
    const bool shared = !options_.stateDir.empty();
    if (!outcome.run.ok()) {
        removePartial(partial, shared);
        outcome.state = outcome.run.status == sp::RunResult::Status::Cancelled
                            ? VariantRecord::State::Cancelled
                            : VariantRecord::State::Failed;
        outcome.message = runMessage(outcome.run);
        return outcome;
    }
    for (const std::string& id : outputNodes_) {
        // An output node served from the executor's cache wrote nothing into this run's folder.
        if (std::find(outcome.run.cached.begin(), outcome.run.cached.end(), id) == outcome.run.cached.end())
            continue;
        removePartial(partial, shared);
        outcome.message =
            concat("node '", id, "' was served from the cache and wrote nothing (the variant ran ",
                   "before in this process)");
        return outcome;
    }
    try {
        outcome.outputs = publish(partial, variant);
    } catch (const Error&) {
        removePartial(partial, shared);
        throw;
    }
    outcome.state = VariantRecord::State::Done;
    return outcome;
}

std::vector<fs::path> SweepRunner::publish(const fs::path& partial, const Variant& variant) {
    std::vector<fs::path> written;
    std::error_code ec;
    for (fs::directory_iterator it(partial, ec), end; !ec && it != end; it.increment(ec))
        written.push_back(it->path());
    SV_CHECK(!ec, "cannot list ", partial.string(), ": ", ec.message());
    std::sort(written.begin(), written.end());
    // Check every destination before moving any, so that a refused variant moves nothing.
    for (const fs::path& p : written) {
        const fs::path dest = options_.outputDir / p.filename();
        SV_CHECK(!fs::exists(dest, ec) || !options_.stateDir.empty(), "variant ", variant.name, ": ",
                 dest.string(), " exists and is not overwritten (choose another output folder)");
    }
    std::vector<fs::path> published;
    for (const fs::path& p : written) {
        const fs::path dest = options_.outputDir / p.filename();
        removeAll(dest);  // a job's own earlier, interrupted run of this variant
        fs::rename(p, dest, ec);
        SV_CHECK(!ec, "cannot move ", p.string(), " to ", dest.string(), ": ", ec.message());
        published.push_back(dest);
    }
    removePartial(partial, !options_.stateDir.empty());
    return published;
}

void SweepRunner::writeRecord(const VariantRecord& record) const {
    if (options_.stateDir.empty()) return;
    writeJsonAtomically(options_.stateDir / (record.name + ".json"), record.toJson());
}

}  // namespace sv::farm
