// ModelFolder: reading a diffusers model folder (model_index.json, component folders, configs) and reporting
// every kind of broken folder with the file and key at fault.
#include <fstream>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "io/model_folder.h"
#include "models/gemma2_config.h"
#include "models/transformer_config.h"
#include "models/wan_vae_config.h"
#include "schedulers/scheduler.h"
#include "support/reference.h"

namespace sv {
namespace {

namespace fs = std::filesystem;

fs::path fullSize() {
    return test::referenceDir() / "full_size";
}

// A writable copy of the full-size config folder.
struct FolderCopy {
    test::TempDir tmp;
    fs::path root = tmp.path() / "model";
    FolderCopy() { fs::copy(fullSize(), root, fs::copy_options::recursive); }
    void write(const fs::path& rel, const std::string& text) const {
        std::ofstream(root / rel, std::ios::trunc) << text;
    }
    void edit(const fs::path& rel, const std::function<void(nlohmann::json&)>& fn) const {
        nlohmann::json j = readJsonFile(root / rel);
        fn(j);
        write(rel, j.dump(1));
    }
};

// Expects ModelFolder::open (and then `use`, when given) to throw an sv::Error containing every fragment.
void expectError(const std::function<void()>& fn, const std::vector<std::string>& fragments) {
    try {
        fn();
        ADD_FAILURE() << "no error; expected: " << fragments.front();
    } catch (const Error& e) {
        const std::string m = e.what();
        for (const auto& f : fragments)
            EXPECT_NE(m.find(f), std::string::npos) << "missing \"" << f << "\" in: " << m;
    }
}

TEST(ModelFolder, OpensTheFullSizeConfigs) {
    ModelFolder m = ModelFolder::open(fullSize());
    EXPECT_EQ(m.pipelineClass(),
              readJsonFile(fullSize() / "model_index.json")["_class_name"].get<std::string>());
    std::vector<std::string> names;
    for (const auto& c : m.components()) names.push_back(c.name);
    EXPECT_EQ(names,
              (std::vector<std::string>{"scheduler", "text_encoder", "tokenizer", "transformer", "vae"}));

    const ModelComponent& tr = m.require("transformer");
    EXPECT_EQ(tr.library, "diffusers");
    EXPECT_EQ(tr.className, "SanaVideoTransformer3DModel");
    EXPECT_EQ(tr.configPath, fullSize() / "transformer" / "config.json");
    EXPECT_FALSE(tr.hasWeights());
    EXPECT_EQ(m.componentPath("vae"), fullSize() / "vae");
    EXPECT_EQ(m.config("vae")["z_dim"], readJsonFile(fullSize() / "vae/config.json")["z_dim"]);

    EXPECT_EQ(m.transformerConfig().numLayers,
              readJsonFile(fullSize() / "transformer/config.json")["num_layers"].get<int>());
    EXPECT_EQ(m.vaeConfig().zDim, readJsonFile(fullSize() / "vae/config.json")["z_dim"].get<int>());
    EXPECT_EQ(m.textEncoderConfig().numLayers,
              readJsonFile(fullSize() / "text_encoder/config.json")["num_hidden_layers"].get<int>());
    // The scheduler config holds -Infinity (lambda_min_clipped) and still loads.
    auto s = m.scheduler();
    EXPECT_EQ(s->className(), m.require("scheduler").className);

    // The fixture has no tokenizer folder: listed, not present, reported on use.
    const ModelComponent* tok = m.find("tokenizer");
    ASSERT_NE(tok, nullptr);
    EXPECT_FALSE(tok->present);
    EXPECT_TRUE(tok->isTokenizer());
    expectError([&] { m.require("tokenizer"); },
                {(fullSize() / "tokenizer").string(), "\"tokenizer\"", "missing"});
    expectError([&] { m.require("safety_checker"); },
                {"model_index.json", "\"safety_checker\"", "no component"});
    expectError([&] { m.weights("transformer"); }, {"transformer", "no *.safetensors"});
    expectError([&] { m.vaeConfig("transformer"); }, {"\"transformer\"", "AutoencoderKLWan"});
}

TEST(ModelFolder, ComponentsWithoutFoldersAreRecorded) {
    // The fixture pipelines keep only scheduler/ beside model_index.json.
    for (const auto& dir : test::referenceFolders("pipeline_")) {
        SCOPED_TRACE(dir.filename().string());
        ModelFolder m = ModelFolder::open(dir);
        EXPECT_TRUE(m.require("scheduler").present);
        EXPECT_NO_THROW(m.scheduler());
        const ModelComponent* tr = m.find("transformer");
        ASSERT_NE(tr, nullptr);
        EXPECT_FALSE(tr->present);
        expectError([&] { m.transformerConfig(); }, {"transformer", "missing"});
    }
}

TEST(ModelFolder, WeightsAndNullEntries) {
    FolderCopy f;
    writeSafetensors(f.root / "vae" / "diffusion_pytorch_model.safetensors",
                     std::vector<std::pair<std::string, Tensor>>{{"x", Tensor::full({2}, 1.0f)}});
    f.edit("model_index.json", [](nlohmann::json& j) {
        j["text_encoder"] = {nullptr, nullptr};
        j["requires_safety_checker"] = false;  // pipeline settings are not components
        j["boundary_ratio"] = nullptr;
    });
    ModelFolder m = ModelFolder::open(f.root);
    EXPECT_TRUE(m.require("vae").hasWeights());
    EXPECT_EQ(m.weights("vae").names(), std::vector<std::string>{"x"});
    const ModelComponent* te = m.find("text_encoder");
    ASSERT_NE(te, nullptr);
    EXPECT_TRUE(te->isNull());
    EXPECT_EQ(m.find("requires_safety_checker"), nullptr);
    EXPECT_EQ(m.find("boundary_ratio"), nullptr);
    expectError([&] { m.require("text_encoder"); }, {"\"text_encoder\"", "null"});
}

TEST(ModelFolder, MissingFolderOrIndex) {
    test::TempDir tmp;
    expectError([&] { ModelFolder::open(tmp.path() / "nowhere"); }, {"nowhere", "not found"});
    expectError([&] { ModelFolder::open(tmp.path()); }, {"model_index.json", "missing"});
}

TEST(ModelFolder, InvalidModelIndex) {
    FolderCopy f;
    f.write("model_index.json", R"({"_class_name": "SanaVideoPipeline", "vae": ["diffusers", )");
    expectError([&] { ModelFolder::open(f.root); }, {"model_index.json", "invalid JSON"});
    f.write("model_index.json", R"({"vae": ["diffusers", "AutoencoderKLWan"]})");
    expectError([&] { ModelFolder::open(f.root); }, {"model_index.json", "\"_class_name\"", "missing"});
    f.write("model_index.json", R"({"_class_name": 3})");
    expectError([&] { ModelFolder::open(f.root); }, {"model_index.json", "\"_class_name\"", "wrong type"});
    f.write("model_index.json", R"({"_class_name": "P", "vae": "AutoencoderKLWan"})");
    expectError([&] { ModelFolder::open(f.root); }, {"model_index.json", "\"vae\"", "[library, class]"});
    f.write("model_index.json", R"({"_class_name": "P", "..": ["diffusers", "AutoencoderKLWan"]})");
    expectError([&] { ModelFolder::open(f.root); },
                {"model_index.json", "\"..\"", "not a valid folder name"});
}

TEST(ModelFolder, InvalidConfigJson) {
    FolderCopy f;
    f.write("vae/config.json", R"({"z_dim": 16,)");
    expectError([&] { ModelFolder::open(f.root); },
                {(f.root / "vae" / "config.json").string(), "invalid JSON"});
}

TEST(ModelFolder, MissingConfigFile) {
    FolderCopy f;
    fs::remove(f.root / "scheduler" / "scheduler_config.json");
    expectError([&] { ModelFolder::open(f.root); },
                {(f.root / "scheduler" / "scheduler_config.json").string(), "missing"});
}

TEST(ModelFolder, MissingRequiredKey) {
    FolderCopy f;
    f.edit("transformer/config.json", [](nlohmann::json& j) { j.erase("num_layers"); });
    expectError([&] { ModelFolder::open(f.root); },
                {(f.root / "transformer" / "config.json").string(), "\"num_layers\"", "missing"});
    FolderCopy g;
    g.edit("text_encoder/config.json", [](nlohmann::json& j) { j.erase("hidden_size"); });
    expectError([&] { ModelFolder::open(g.root); },
                {(g.root / "text_encoder" / "config.json").string(), "\"hidden_size\"", "missing"});
}

TEST(ModelFolder, WrongTypedKey) {
    FolderCopy f;
    f.edit("vae/config.json", [](nlohmann::json& j) { j["base_dim"] = "ninety-six"; });
    expectError([&] { ModelFolder::open(f.root); },
                {(f.root / "vae" / "config.json").string(), "\"base_dim\"", "wrong type"});
    FolderCopy g;
    g.edit("scheduler/scheduler_config.json", [](nlohmann::json& j) { j["flow_shift"] = "8"; });
    expectError([&] { ModelFolder::open(g.root); },
                {(g.root / "scheduler" / "scheduler_config.json").string(), "\"flow_shift\"", "wrong type"});
}

TEST(ModelFolder, UnknownKeysAreTolerated) {
    FolderCopy f;
    f.edit("transformer/config.json", [](nlohmann::json& j) { j["some_future_option"] = {1, 2, 3}; });
    f.edit("model_index.json", [](nlohmann::json& j) { j["_name_or_path"] = "somewhere"; });
    EXPECT_NO_THROW(ModelFolder::open(f.root));
}

TEST(ModelFolder, MissingComponentFolder) {
    FolderCopy f;
    fs::remove_all(f.root / "vae");
    ModelFolder m = ModelFolder::open(f.root);
    EXPECT_FALSE(m.find("vae")->present);
    expectError([&] { m.vaeConfig(); },
                {(f.root / "vae").string(), "\"vae\"", "AutoencoderKLWan", "missing"});
    expectError([&] { m.componentPath("vae"); }, {(f.root / "vae").string(), "missing"});
}

}  // namespace
}  // namespace sv
