#include "pipelines/prompt_schedule.h"

#include <fstream>
#include <iterator>

#include "base/error.h"

namespace sv {

namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

std::vector<std::string> splitPrompts(std::string_view text) {
    std::vector<std::string> out;
    for (;;) {
        const size_t at = text.find(kPromptSplitToken);
        out.emplace_back(trim(text.substr(0, at)));
        if (at == std::string_view::npos) break;
        text.remove_prefix(at + kPromptSplitToken.size());
    }
    return out;
}

PromptSchedule::PromptSchedule(std::string prompt) {
    entries_[0] = std::move(prompt);
}

void PromptSchedule::setSplitText(std::string_view text, int64_t chunks) {
    SV_CHECK(chunks >= 1, "prompt schedule: ", chunks, " chunks");
    const std::vector<std::string> parts = splitPrompts(text);
    const auto k = int64_t(parts.size());
    SV_CHECK(k <= chunks, "the prompt has ", k, " parts (separated by ", kPromptSplitToken,
             ") but the video has ", chunks, " chunks; give at most one part per chunk");
    std::map<int64_t, std::string> entries;
    for (int64_t i = 0; i < k; ++i) {
        SV_CHECK(!parts[size_t(i)].empty(), "prompt part ", i + 1, " of ", k, " is empty");
        entries[i * chunks / k] = parts[size_t(i)];
    }
    std::lock_guard lock(mutex_);
    entries_ = std::move(entries);
    ++revision_;
}

void PromptSchedule::setLines(std::string_view text) {
    std::map<int64_t, std::string> entries;
    int line = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view raw = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line;
        if (raw.empty() || raw.front() == '#') continue;
        const size_t colon = raw.find(':');
        int64_t chunk = -1;
        const std::string_view num = trim(raw.substr(0, colon));
        bool digits = colon != std::string_view::npos && !num.empty();
        for (char c : num) digits = digits && c >= '0' && c <= '9';
        if (digits) chunk = std::stoll(std::string(num));
        const std::string_view prompt = digits ? trim(raw.substr(colon + 1)) : std::string_view();
        SV_CHECK(digits && !prompt.empty(), "prompt file line ", line, ": \"", raw,
                 "\" is not \"CHUNK: prompt\" (e.g. \"0: a red fox\")");
        entries[chunk] = std::string(prompt);
    }
    SV_CHECK(!entries.empty(), "the prompt file holds no \"CHUNK: prompt\" line");
    std::lock_guard lock(mutex_);
    entries_ = std::move(entries);
    ++revision_;
}

void PromptSchedule::set(int64_t firstChunk, std::string prompt) {
    SV_CHECK(firstChunk >= 0, "prompt schedule: negative chunk ", firstChunk);
    std::lock_guard lock(mutex_);
    entries_[firstChunk] = std::move(prompt);
    ++revision_;
}

std::string PromptSchedule::promptFor(int64_t chunk) const {
    std::lock_guard lock(mutex_);
    SV_CHECK(!entries_.empty(), "the prompt schedule is empty");
    auto it = entries_.upper_bound(chunk);
    return it == entries_.begin() ? it->second : std::prev(it)->second;
}

std::vector<std::pair<int64_t, std::string>> PromptSchedule::entries() const {
    std::lock_guard lock(mutex_);
    return {entries_.begin(), entries_.end()};
}

bool PromptSchedule::empty() const {
    std::lock_guard lock(mutex_);
    return entries_.empty();
}

uint64_t PromptSchedule::revision() const {
    std::lock_guard lock(mutex_);
    return revision_;
}

PromptFileWatcher::PromptFileWatcher(std::filesystem::path path, PromptSchedule& schedule)
    : path_(std::move(path)), schedule_(schedule) {}

bool PromptFileWatcher::refresh() {
    std::error_code ec;
    const auto stamp = std::filesystem::last_write_time(path_, ec);
    SV_CHECK(!ec || read_, "prompt file ", path_.string(), ": cannot read it (", ec.message(), ")");
    if (ec || (read_ && stamp == stamp_)) return false;  // a file being replaced: keep the last prompts
    std::ifstream in(path_, std::ios::binary);
    SV_CHECK(in, "prompt file ", path_.string(), ": cannot read it");
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    try {
        schedule_.setLines(text);
    } catch (const Error& e) {
        fail("prompt file ", path_.string(), ": ", e.what());
    }
    stamp_ = stamp, read_ = true;
    return true;
}

}  // namespace sv
