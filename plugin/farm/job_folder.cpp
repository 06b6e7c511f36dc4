#include "plugin/farm/job_folder.h"

#include <algorithm>

#include "base/error.h"

namespace sv::farm {

namespace {

/// A new folder under `root` named `stem` (or stem-2, stem-3, ...): create_directory is the atomic claim,
/// so two submissions in the same second never share a folder.
fs::path claimFolder(const fs::path& root, const std::string& stem) {
    std::error_code ec;
    fs::create_directories(root, ec);
    SV_CHECK(!ec, "cannot create the job root ", root.string(), ": ", ec.message());
    for (int k = 1; k < 1000; ++k) {
        const fs::path dir = root / (k == 1 ? stem : concat(stem, "-", k));
        if (fs::create_directory(dir, ec)) return dir;
        SV_CHECK(!ec, "cannot create the job folder ", dir.string(), ": ", ec.message());
    }
    fail("no free job folder name for ", stem, " in ", root.string());
}

nlohmann::json submissionToJson(const Submission& s) {
    return {{"id", s.id}, {"tasks", s.tasks}, {"at", s.at}};
}

}  // namespace

JobFolder JobFolder::create(const fs::path& root, const JobSetup& setup) {
    SV_CHECK(!setup.variants.empty(), "the job has no variants");
    SV_CHECK(setup.farm.chunk >= 1, "the chunk size must be at least 1, got ", setup.farm.chunk);
    JobFolder job;
    job.dir_ = fs::absolute(
        claimFolder(root, concat(slugify(setup.name, 40), "-", timeStamp("%Y%m%d-%H%M%S", false))));
    job.name_ = setup.name;
    job.created_ = utcNow();
    job.farm_ = setup.farm;
    job.program_ = setup.program;
    job.pluginDirs_ = setup.pluginDirs;
    job.variants_ = setup.variants;
    for (const fs::path& d : {job.logsDir(), job.stateDir(), job.outputsDir(), job.managerDir()}) {
        std::error_code ec;
        fs::create_directories(d, ec);
        SV_CHECK(!ec, "cannot create ", d.string(), ": ", ec.message());
    }
    setup.graph.save(job.graphFile());
    writeJsonAtomically(job.specFile(), setup.spec.toJson(job.dir_));
    nlohmann::json variants = nlohmann::json::array();
    for (const Variant& v : setup.variants) {
        nlohmann::json vj = variantToJson(v);
        vj["task"] = job.taskOf(v.index);
        variants.push_back(std::move(vj));
    }
    writeJsonAtomically(job.variantsFile(), {{"format", "sanavideo.variants"},
                                             {"version", 1},
                                             {"chunk", setup.farm.chunk},
                                             {"variants", variants}});
    job.writeJobFile();
    return job;
}

JobFolder JobFolder::open(const fs::path& dirIn) {
    JobFolder job;
    job.dir_ = fs::absolute(dirIn).lexically_normal();
    if (job.dir_.filename().empty()) job.dir_ = job.dir_.parent_path();
    const fs::path file = job.dir_ / "job.json";
    const std::string source = file.string();
    const nlohmann::json j = readJsonFile(file);
    SV_CHECK(j.is_object() && j.value("format", "") == kFormatName, source, ": not a farm job");
    SV_CHECK(j.value("version", 0) >= 1 && j.value("version", 0) <= kFormatVersion, source,
             ": job format version ", j.value("version", 0), " is not supported");
    try {
        job.name_ = j.value("name", "");
        job.created_ = j.value("created", "");
        job.farm_ = FarmSettings::fromJson(j.at("farm"), source);
        job.program_ = j.value("program", "");
        for (const auto& d : j.value("pluginDirs", std::vector<std::string>{}))
            job.pluginDirs_.emplace_back(d);
        for (const auto& s : j.value("submissions", nlohmann::json::array()))
            job.submissions_.push_back(
                {s.at("id").get<std::string>(), s.at("tasks").get<std::vector<int>>(), s.value("at", "")});
    } catch (const nlohmann::json::exception& e) {
        fail(source, ": malformed farm job: ", e.what());
    }
    const nlohmann::json vj = readJsonFile(job.variantsFile());
    SV_CHECK(vj.is_object() && vj.contains("variants") && vj["variants"].is_array(),
             job.variantsFile().string(), ": no \"variants\" list");
    for (const auto& v : vj["variants"])
        job.variants_.push_back(variantFromJson(v, job.variantsFile().string()));
    for (size_t i = 0; i < job.variants_.size(); ++i)
        SV_CHECK(job.variants_[i].index == int(i), job.variantsFile().string(), ": variant ", i,
                 " has the index ", job.variants_[i].index);
    SV_CHECK(!job.variants_.empty(), job.variantsFile().string(), ": no variants");
    return job;
}

bool JobFolder::isJobFolder(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / "job.json", ec)) return false;
    try {
        return readJsonFile(dir / "job.json").value("format", "") == kFormatName;
    } catch (const Error&) {
        return false;
    }
}

fs::path JobFolder::logFile(int task) const {
    return logsDir() / concat("task-", task, ".log");
}

fs::path JobFolder::taskStateFile(int task) const {
    return stateDir() / concat("task-", task, ".json");
}

fs::path JobFolder::variantStateFile(std::string_view variant) const {
    return stateDir() / concat(variant, ".json");
}

int JobFolder::taskCount() const {
    return int((variants_.size() + size_t(farm_.chunk) - 1) / size_t(farm_.chunk));
}

std::span<const Variant> JobFolder::taskVariants(int task) const {
    SV_CHECK(task >= 0 && task < taskCount(), "job ", id(), " has tasks 0 to ", taskCount() - 1, ", not ",
             task);
    const size_t begin = size_t(task) * size_t(farm_.chunk);
    const size_t end = std::min(variants_.size(), begin + size_t(farm_.chunk));
    return std::span<const Variant>(variants_).subspan(begin, end - begin);
}

const Submission* JobFolder::submissionOf(int task) const {
    for (auto it = submissions_.rbegin(); it != submissions_.rend(); ++it)
        if (std::find(it->tasks.begin(), it->tasks.end(), task) != it->tasks.end()) return &*it;
    return nullptr;
}

void JobFolder::addSubmission(Submission s) {
    if (s.at.empty()) s.at = utcNow();
    submissions_.push_back(std::move(s));
    writeJobFile();
}

nlohmann::json JobFolder::jobJson() const {
    nlohmann::json subs = nlohmann::json::array();
    for (const Submission& s : submissions_) subs.push_back(submissionToJson(s));
    std::vector<std::string> plugins;
    for (const fs::path& d : pluginDirs_) plugins.push_back(d.string());
    return {{"format", kFormatName},
            {"version", kFormatVersion},
            {"name", name_},
            {"created", created_},
            {"farm", farm_.toJson()},
            {"tasks", taskCount()},
            {"variantCount", variants_.size()},
            {"program", program_.string()},
            {"pluginDirs", plugins},
            {"submissions", subs}};
}

void JobFolder::writeJobFile() const {
    writeJsonAtomically(dir_ / "job.json", jobJson());
}

std::vector<fs::path> listJobFolders(const fs::path& root) {
    std::vector<std::pair<fs::file_time_type, fs::path>> found;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_directory(ec) || !JobFolder::isJobFolder(it->path())) continue;
        found.emplace_back(fs::last_write_time(it->path() / "job.json", ec), it->path());
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second > b.second;
    });
    std::vector<fs::path> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

JobFolder findJob(const fs::path& root, std::string_view idOrPath) {
    const fs::path asPath{std::string(idOrPath)};
    if (JobFolder::isJobFolder(asPath)) return JobFolder::open(asPath);
    if (JobFolder::isJobFolder(root / asPath)) return JobFolder::open(root / asPath);
    for (const fs::path& dir : listJobFolders(root)) {
        JobFolder job = JobFolder::open(dir);
        for (const Submission& s : job.submissions())
            if (s.id == idOrPath) return job;
    }
    fail("no farm job \"", idOrPath, "\" in ", root.string(),
         " (give a job folder, its name, or a manager job id; `sanavideo jobs` lists them)");
}

}  // namespace sv::farm
