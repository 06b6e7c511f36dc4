// The SANA-Video pack fixture of the node tests: the pack loaded in-process from the build tree, a demo model
// made once per test, the shipped default graphs at tiny sizes, and runs through the executor with their
// events.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "plugin/exec/executor.h"
#include "run_outcome.h"
#include "sana_test_support.h"

namespace sv::plugin {

namespace fs = std::filesystem;

class SanaNodesTest : public ::testing::Test {
  protected:
    void SetUp() override { test::loadSanaPack(registry); }

    fs::path model() {
        if (model_.empty()) model_ = test::makeDemoModel(modelDir.path());
        return model_;
    }

    void set(GraphDocument& doc, const std::string& node, const std::string& param, const std::string& text) {
        const GraphNode* n = doc.findNode(node);
        ASSERT_NE(n, nullptr) << node;
        const ParamSpec* p = registry.find(n->type)->findParam(param);
        ASSERT_NE(p, nullptr) << node << "." << param;
        doc.setParam(node, param, p->parseText(text));
    }

    /// A shipped default graph with the tiny settings applied.
    GraphDocument tinyGraph(bool imageToVideo) {
        GraphDocument doc = GraphDocument::load(
            test::graphsDir() / (imageToVideo ? "image-to-video.json" : "text-to-video.json"));
        for (const auto& s : test::tinySettings(model(), imageToVideo)) set(doc, s.node, s.param, s.value);
        return doc;
    }

    Outcome run(const GraphDocument& doc, RunRequest request = {}) {
        return runCollecting(executor, doc, std::move(request), out.path());
    }

    NodeRegistry registry;
    Executor executor{registry};
    test::TempDir modelDir, out;
    fs::path model_;
};

}  // namespace sv::plugin
