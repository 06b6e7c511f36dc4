#include "plugin/farm/slurm_manager.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "base/error.h"

namespace sv::farm {

namespace {

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

std::vector<std::string> splitFields(const std::string& line) {
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
        const size_t bar = line.find('|', start);
        fields.push_back(line.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
        if (bar == std::string::npos) return fields;
        start = bar + 1;
    }
}

std::optional<int> parseIndex(std::string_view s) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

ManagerTaskState::Phase phaseOf(const std::string& state) {
    static const std::set<std::string> pending = {"PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
                                                  "SPECIAL_EXIT"};
    static const std::set<std::string> running = {"RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED",
                                                  "STOPPED", "SIGNALING",   "STAGE_OUT",  "RESIZING"};
    if (pending.count(state)) return ManagerTaskState::Phase::Pending;
    if (running.count(state)) return ManagerTaskState::Phase::Running;
    return ManagerTaskState::Phase::Ended;
}

std::string firstWord(const std::string& s) {
    return s.substr(0, s.find(' '));  // sacct writes "CANCELLED by 0"
}

}  // namespace

SlurmManager::SlurmManager(CommandRunner runner) : runner_(std::move(runner)) {
    if (!runner_) runner_ = defaultCommandRunner();
}

ProcessResult SlurmManager::call(const std::string& program, const std::vector<std::string>& args) {
    ProcessResult r = runner_(program, args);
    if (!r.started)
        fail(program,
             " was not found: install Slurm's client commands (Debian: slurm-client) and point them at "
             "the cluster (/etc/slurm/slurm.conf or SLURM_CONF), or submit from a login node of the cluster");
    return r;
}

void SlurmManager::check(const FarmSettings& settings) {
    SV_CHECK(settings.gpus >= 0 && settings.cpus >= 0 && settings.chunk >= 1, "invalid farm settings");
    const ProcessResult r = call("sinfo", {"--noheader", "--format=%R"});
    SV_CHECK(r.ok(), "the Slurm controller does not answer (", r.describe("sinfo"), ")");
    if (settings.partition.empty()) return;
    const std::vector<std::string> partitions = splitLines(r.out);
    if (std::find(partitions.begin(), partitions.end(), settings.partition) != partitions.end()) return;
    std::string names;
    for (const std::string& p : partitions) names += (names.empty() ? "" : ", ") + p;
    fail("the Slurm partition '", settings.partition,
         "' does not exist on this cluster (partitions: ", names.empty() ? "none" : names, ")");
}

std::string SlurmManager::arraySpec(std::span<const int> tasksIn) {
    std::vector<int> tasks(tasksIn.begin(), tasksIn.end());
    std::sort(tasks.begin(), tasks.end());
    tasks.erase(std::unique(tasks.begin(), tasks.end()), tasks.end());
    std::string spec;
    for (size_t i = 0; i < tasks.size();) {
        size_t j = i;
        while (j + 1 < tasks.size() && tasks[j + 1] == tasks[j] + 1) ++j;
        spec += concat(spec.empty() ? "" : ",", tasks[i]);
        if (j > i) spec += concat("-", tasks[j]);
        i = j + 1;
    }
    return spec;
}

std::string SlurmManager::batchScript(const JobFolder& job) {
    std::string plugins;
    for (const fs::path& d : job.pluginDirs()) plugins += concat(" --plugin-dir ", shellQuote(d.string()));
    return concat(
        "#!/bin/sh\n",
        "# Written by sanavideo submit. One array task runs one chunk of the job's variants in one\n",
        "# process (the models load once). exec: scancel's SIGTERM reaches sanavideo, which stops\n",
        "# within one step and records the task as cancelled.\n", "exec ", shellQuote(job.program().string()),
        " sweep --job ", shellQuote(job.dir().string()),
        " --task \"${SLURM_ARRAY_TASK_ID:?not a Slurm array task}\" --submission \"${SLURM_ARRAY_JOB_ID}\"",
        plugins, "\n");
}

std::vector<std::string> SlurmManager::sbatchArgs(const JobFolder& job, std::span<const int> tasks) {
    const FarmSettings& f = job.farm();
    std::vector<std::string> args = {"--parsable",
                                     "--array=" + arraySpec(tasks),
                                     "--job-name=sv-" + slugify(job.name(), 40),
                                     "--chdir=" + job.dir().string(),
                                     "--output=" + (job.logsDir() / "task-%a.log").string(),
                                     "--open-mode=append"};
    if (!f.partition.empty()) args.push_back("--partition=" + f.partition);
    if (!f.timeLimit.empty()) args.push_back("--time=" + f.timeLimit);
    if (f.gpus > 0) args.push_back(concat("--gres=gpu:", f.gpus));
    if (f.cpus > 0) args.push_back(concat("--cpus-per-task=", f.cpus));
    if (!f.memory.empty()) args.push_back("--mem=" + f.memory);
    args.insert(args.end(), f.extraArgs.begin(), f.extraArgs.end());
    args.push_back((job.managerDir() / "task.sbatch").string());
    return args;
}

std::string SlurmManager::submit(const JobFolder& job, std::span<const int> tasks) {
    SV_CHECK(!tasks.empty(), "nothing to submit");
    const fs::path script = job.managerDir() / "task.sbatch";
    {
        std::error_code ec;
        fs::create_directories(job.managerDir(), ec);
        std::ofstream out(script, std::ios::binary | std::ios::trunc);
        out << batchScript(job);
        out.close();
        SV_CHECK(bool(out), "cannot write ", script.string());
        fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);
    }
    const ProcessResult r = call("sbatch", sbatchArgs(job, tasks));
    SV_CHECK(r.ok(), "Slurm refused the job (", r.describe("sbatch"), ")");
    const std::vector<std::string> lines = splitLines(r.out);
    SV_CHECK(!lines.empty(), "sbatch printed no job id");
    const std::string id = lines.back().substr(0, lines.back().find(';'));  // "<id>[;cluster]"
    SV_CHECK(parseIndex(id).has_value(), "sbatch printed \"", lines.back(), "\" instead of a job id");
    return id;
}

std::map<int, ManagerTaskState> SlurmManager::query(const std::string& id) {
    std::map<int, ManagerTaskState> states;
    const ProcessResult r =
        call("squeue", {"--noheader", "--array", "--states=all", "--jobs=" + id, "--format=%i|%K|%T|%r|%N"});
    // A job the controller forgot (older than MinJobAge) is an "Invalid job id" error, not a failure.
    if (!r.ok() && r.err.find("Invalid job id") == std::string::npos)
        fail("cannot ask Slurm about job ", id, " (", r.describe("squeue"), ")");
    for (const std::string& line : splitLines(r.ok() ? r.out : std::string())) {
        const std::vector<std::string> f = splitFields(line);
        if (f.size() < 5) continue;
        const auto task = parseIndex(f[1]);
        if (!task) continue;
        ManagerTaskState s{phaseOf(f[2]), f[2], f[3] == "None" ? std::string() : f[3], f[4]};
        states[*task] = std::move(s);
    }
    addAccounting(id, states);
    return states;
}

void SlurmManager::addAccounting(const std::string& id, std::map<int, ManagerTaskState>& states) {
    if (!sacctUsable_) return;
    const ProcessResult r = runner_("sacct", {"--noheader", "--parsable2", "--allocations", "--jobs=" + id,
                                              "--format=JobID,State,ExitCode,NodeList"});
    if (!r.ok()) {
        sacctUsable_ =
            false;  // no slurmdbd ("accounting storage is disabled"), or no sacct: state files only
        return;
    }
    for (const std::string& line : splitLines(r.out)) {
        const std::vector<std::string> f = splitFields(line);
        if (f.size() < 4) continue;
        const size_t underscore = f[0].find('_');
        if (underscore == std::string::npos || f[0].substr(0, underscore) != id) continue;
        const auto task = parseIndex(f[0].substr(underscore + 1));
        if (!task || states.count(*task)) continue;  // squeue's view is fresher
        const std::string state = firstWord(f[1]);
        states[*task] = {phaseOf(state), state, f[2] == "0:0" ? std::string() : "exit code " + f[2], f[3]};
    }
}

void SlurmManager::cancel(const std::string& id, std::optional<int> task) {
    const std::string target = task ? concat(id, "_", *task) : id;
    const ProcessResult r = call("scancel", {target});
    SV_CHECK(r.ok(), "cannot cancel Slurm job ", target, " (", r.describe("scancel"), ")");
}

}  // namespace sv::farm
