// Helpers of the SANA-Video node pack tests: the pack loaded in-process from the build tree, a demo model
// made by `sanavideo make-demo-model`, running the sanavideo binary, and the shipped default graphs at tiny
// sizes.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "plugin/graph/graph_document.h"
#include "plugin/sdk/plugin_loader.h"
#include "support/reference.h"

namespace sv::test {

namespace fs = std::filesystem;

inline std::string readFile(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

/// Single-quotes an argument for /bin/sh.
inline std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

struct CommandResult {
    int rc = -1;
    std::string out;
    std::string err;
};

/// Runs `sanavideo ARGS...` and captures its exit code, stdout and stderr. With `timeoutSeconds` > 0 it is
/// killed after that long (exit code 124, as timeout(1) reports it).
inline CommandResult runSanavideo(const std::vector<std::string>& args, const fs::path& scratch,
                                  int timeoutSeconds = 0) {
    std::string cmd = timeoutSeconds > 0 ? "timeout " + std::to_string(timeoutSeconds) + " " : std::string();
    cmd += shellQuote(SV_SANAVIDEO_EXE);
    for (const auto& a : args) {
        cmd += ' ';
        cmd += shellQuote(a);
    }
    const fs::path out = scratch / "cmd.stdout", err = scratch / "cmd.stderr";
    cmd += " >";
    cmd += shellQuote(out.string());
    cmd += " 2>";
    cmd += shellQuote(err.string());
    const int status = std::system(cmd.c_str());
    CommandResult r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = readFile(out);
    r.err = readFile(err);
    return r;
}

/// A demo model (tiny random weights, full diffusers layout) in `dir`/model, made once per TempDir.
inline fs::path makeDemoModel(const fs::path& dir) {
    const fs::path model = dir / "model";
    if (fs::exists(model / "model_index.json")) return model;
    const CommandResult r = runSanavideo({"make-demo-model", model.string()}, dir);
    EXPECT_EQ(r.rc, 0) << "sanavideo make-demo-model failed:\n" << r.out << r.err;
    return model;
}

/// The SANA-Video pack, loaded from the build tree like the application loads it.
inline void loadSanaPack(plugin::NodeRegistry& registry) {
    plugin::PluginLoader loader;
    const plugin::PluginReport rep = loader.loadFile(SV_SANA_PACK_FILE, registry);
    ASSERT_TRUE(rep.loaded) << SV_SANA_PACK_FILE << ": " << rep.message;
    ASSERT_EQ(rep.pack, "sana-video");
}

inline fs::path graphsDir() {
    return fs::path(SV_SOURCE_DIR) / "resources" / "graphs";
}
inline fs::path testImage() {
    return fs::path(SV_TEST_DATA_DIR) / "images" / "rgb8.png";
}

/// The tiny settings every run of the default graphs uses here: "node.param" → value (as --set text).
struct Setting {
    std::string node, param, value;
};
inline std::vector<Setting> tinySettings(const fs::path& model, bool imageToVideo) {
    std::vector<Setting> s = {{"load_model", "folder", model.string()},
                              {"load_model", "device", "cpu"},
                              {"sampler", "width", "32"},
                              {"sampler", "height", "32"},
                              {"sampler", "frames", "5"},
                              {"sampler", "steps", "2"},
                              {"sampler", "seed", "7"},
                              {"sampler", "resolution_binning", "false"}};
    if (imageToVideo) {
        s.push_back({"image_encode", "width", "32"});
        s.push_back({"image_encode", "height", "32"});
        s.push_back({"image_encode", "resolution_binning", "false"});
        s.push_back({"load_image", "path", testImage().string()});
    }
    return s;
}

}  // namespace sv::test
