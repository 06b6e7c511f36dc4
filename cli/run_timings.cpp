#ifdef SV_CLI_WITH_PLUGIN
#include "run_timings.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "backend/device.h"
#include "base/error.h"

namespace fs = std::filesystem;

namespace sv::cli {

namespace {

/// The stage a node type counts in ("" for none).
std::string stageOf(const std::string& type) {
    static const std::map<std::string, std::string, std::less<>> kStages = {
        {"sana.load_model", "load_s"},
        {"sana.load_lora", "load_s"},
        {"sana.text_encode", "text_encode_s"},
        {"sana.sampler", "sampling_s"},
        {"sana.vae_decode", "decode_s"},
        {"sana.save_video", "write_s"},
        {"sana.save_latent", "write_s"},
        // Long Video streams text, sampling, decode and write chunk by chunk inside one node.
        {"sana.long_video", "long_video_s"}};
    const auto it = kStages.find(type);
    return it == kStages.end() ? std::string() : it->second;
}

double peakRssMib() {
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) return -1.0;
    return double(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// RssAnon and RssFile of /proc/self/status in KiB; false when unreadable.
bool readRss(int64_t& anonKib, int64_t& fileKib) {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return false;
    char line[256];
    int found = 0;
    long long v = 0;
    while (std::fgets(line, sizeof line, f)) {
        if (std::sscanf(line, "RssAnon: %lld", &v) == 1) anonKib = v, ++found;
        if (std::sscanf(line, "RssFile: %lld", &v) == 1) fileKib = v, ++found;
    }
    std::fclose(f);
    return found == 2;
}

void raiseTo(std::atomic<int64_t>& max, int64_t v) {
    int64_t cur = max.load();
    while (v > cur && !max.compare_exchange_weak(cur, v)) {
    }
}

}  // namespace

RunTimings::RunTimings(std::string command)
    : command_(std::move(command)), start_(std::chrono::steady_clock::now()) {
    sampler_ = std::jthread([this](std::stop_token stop) {
        while (!stop.stop_requested()) {
            int64_t anon = 0, file = 0;
            if (!readRss(anon, file)) return;
            raiseTo(maxAnonKib_, anon);
            raiseTo(maxFileKib_, file);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
}

void RunTimings::onEvent(const plugin::ExecutionEvent& e) {
    if (e.kind == plugin::ExecutionEvent::Kind::NodeFinished)
        nodes_.push_back({e.nodeId, e.nodeType, e.durationSeconds});
}

void RunTimings::write(const fs::path& file, double runSeconds,
                       const std::vector<std::pair<std::string, double>>& extras) const {
    nlohmann::ordered_json j;
    j["command"] = command_;
    j["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    j["run_s"] = runSeconds;
    nlohmann::ordered_json stages = {
        {"load_s", 0.0}, {"text_encode_s", 0.0}, {"sampling_s", 0.0}, {"decode_s", 0.0}, {"write_s", 0.0}};
    nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
    for (const NodeTime& n : nodes_) {
        nodes.push_back({{"id", n.id}, {"type", n.type}, {"seconds", n.seconds}});
        if (const std::string s = stageOf(n.type); !s.empty())
            stages[s] = stages.value(s, 0.0) + n.seconds;  // long_video_s appears only when used
    }
    j["stages"] = stages;
    for (const auto& [name, seconds] : extras) j[name] = seconds;
    j["nodes"] = nodes;
    const Device gpu = Device::cuda();
    if (device::available(gpu)) {
        j["device"] = device::name(gpu);
        j["peak_vram_gib"] = double(device::memoryStats(gpu).peak) / double(1 << 30);
    } else {
        j["device"] = "cpu";
    }
    j["peak_rss_mib"] = peakRssMib();
    const auto mib = [](int64_t kib) { return kib < 0 ? -1.0 : double(kib) / 1024.0; };
    j["peak_rss_anon_mib"] = mib(maxAnonKib_.load());  // sampled every 20 ms
    j["peak_rss_file_mib"] = mib(maxFileKib_.load());
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f << j.dump(2) << '\n';
    f.close();
    SV_CHECK(bool(f), "--timings: cannot write ", file.string());
}

CLI::Option* addTimingsOption(CLI::App& cmd, std::string& file) {
    return cmd
        .add_option(
            "--timings", file,
            "write where the time and memory went to FILE.json: wall and per-node seconds, the load / "
            "text encode / sampling / decode / write stages (long_video_s for LongSANA's chunked node), peak "
            "VRAM and peak host RSS (also split into anonymous memory and mapped files)")
        ->type_name("FILE.json");
}

}  // namespace sv::cli
#endif  // SV_CLI_WITH_PLUGIN
