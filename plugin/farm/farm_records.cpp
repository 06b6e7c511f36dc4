#include "plugin/farm/farm_records.h"

#include <unistd.h>

#include <array>
#include <ctime>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace sv::farm {

namespace {

template <class State, size_t N>
State stateFromName(const std::array<std::string_view, N>& names, const std::string& text,
                    std::string_view source) {
    for (size_t i = 0; i < N; ++i)
        if (names[i] == text) return State(i);
    fail(source, ": unknown state \"", text, "\"");
}

constexpr std::array<std::string_view, 4> kVariantStates = {"running", "done", "failed", "cancelled"};
constexpr std::array<std::string_view, 4> kTaskStates = {"running", "finished", "failed", "cancelled"};

}  // namespace

void writeJsonAtomically(const fs::path& file, const nlohmann::json& j) {
    const fs::path tmp = file.parent_path() / concat(".", file.filename().string(), ".", ::getpid(), ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << j.dump(2) << '\n';
        out.close();
        SV_CHECK(bool(out), "cannot write ", tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) {
        fs::remove(tmp, ec);
        fail("cannot write ", file.string(), ": ", ec.message());
    }
}

nlohmann::json readJsonFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    SV_CHECK(bool(in), "cannot read ", file.string());
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        fail(file.string(), ": not valid JSON: ", e.what());
    }
}

std::string timeStamp(const char* format, bool utc) {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    if (utc)
        gmtime_r(&t, &tm);
    else
        localtime_r(&t, &tm);
    char buf[64];
    return std::strftime(buf, sizeof buf, format, &tm) ? buf : "";
}

std::string utcNow() {
    return timeStamp("%Y-%m-%dT%H:%M:%SZ", true);
}

std::string hostName() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

std::string_view variantStateName(VariantRecord::State s) {
    return kVariantStates[size_t(s)];
}

std::string_view taskRecordStateName(TaskRecord::State s) {
    return kTaskStates[size_t(s)];
}

nlohmann::json VariantRecord::toJson() const {
    return {{"name", name},
            {"index", index},
            {"task", task},
            {"state", variantStateName(state)},
            {"outputs", outputs},
            {"message", message},
            {"node", node},
            {"host", host},
            {"submission", submission},
            {"started", started},
            {"finished", finished},
            {"seconds", seconds}};
}

VariantRecord VariantRecord::fromJson(const nlohmann::json& j, std::string_view source) {
    try {
        VariantRecord r;
        r.name = j.at("name").get<std::string>();
        r.index = j.at("index").get<int>();
        r.task = j.value("task", -1);
        r.state = stateFromName<State>(kVariantStates, j.at("state").get<std::string>(), source);
        r.outputs = j.value("outputs", std::vector<std::string>{});
        r.message = j.value("message", "");
        r.node = j.value("node", "");
        r.host = j.value("host", "");
        r.submission = j.value("submission", "");
        r.started = j.value("started", "");
        r.finished = j.value("finished", "");
        r.seconds = j.value("seconds", 0.0);
        return r;
    } catch (const nlohmann::json::exception& e) {
        fail(source, ": not a variant record: ", e.what());
    }
}

nlohmann::json TaskRecord::toJson() const {
    return {{"task", task},
            {"state", taskRecordStateName(state)},
            {"submission", submission},
            {"host", host},
            {"pid", pid},
            {"started", started},
            {"updated", updated},
            {"finished", finished},
            {"variants", variants},
            {"done", done},
            {"failed", failed},
            {"current", current},
            {"node", node},
            {"step", step},
            {"total", total},
            {"message", message}};
}

TaskRecord TaskRecord::fromJson(const nlohmann::json& j, std::string_view source) {
    try {
        TaskRecord r;
        r.task = j.at("task").get<int>();
        r.state = stateFromName<State>(kTaskStates, j.at("state").get<std::string>(), source);
        r.submission = j.value("submission", "");
        r.host = j.value("host", "");
        r.pid = j.value("pid", int64_t(0));
        r.started = j.value("started", "");
        r.updated = j.value("updated", "");
        r.finished = j.value("finished", "");
        r.variants = j.value("variants", 0);
        r.done = j.value("done", 0);
        r.failed = j.value("failed", 0);
        r.current = j.value("current", "");
        r.node = j.value("node", "");
        r.step = j.value("step", int64_t(0));
        r.total = j.value("total", int64_t(0));
        r.message = j.value("message", "");
        return r;
    } catch (const nlohmann::json::exception& e) {
        fail(source, ": not a task record: ", e.what());
    }
}

std::optional<VariantRecord> readVariantRecord(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    try {
        return VariantRecord::fromJson(readJsonFile(file), file.string());
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::optional<TaskRecord> readTaskRecord(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    try {
        return TaskRecord::fromJson(readJsonFile(file), file.string());
    } catch (const Error&) {
        return std::nullopt;
    }
}

}  // namespace sv::farm
