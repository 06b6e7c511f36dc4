// GraphDocument: JSON round trip, structural errors, the edit API and its notifications.
#include <fstream>

#include <gtest/gtest.h>

#include "io/json_util.h"
#include "plugin/graph/graph_document.h"
#include "support/hostile_files.h"
#include "support/reference.h"

namespace sv::plugin {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

GraphDocument sampleDoc() {
    GraphDocument doc;
    doc.addNode("test.load_model", 1, {{"folder", "/m"}}, {{"pos", {10, 20}}}, "load");
    doc.addNode("test.encode", 1, {{"prompt", "a dog\nrunning"}}, json::object(), "encode");
    doc.addNode("test.sampler", 2, {{"seed", 7}, {"guidance", 4.5}}, json::object(), "sampler");
    doc.setBypass("encode", true);
    doc.connect({"load", "model"}, {"encode", "model"});
    doc.connect({"load", "model"}, {"sampler", "model"});
    doc.connect({"encode", "cond"}, {"sampler", "cond"});
    doc.setMetadata({{"title", "demo"}, {"nested", {{"a", 1}}}});
    return doc;
}

TEST(GraphDocument, SaveLoadRoundTrip) {
    sv::test::TempDir tmp;
    GraphDocument doc = sampleDoc();
    auto path = tmp.path() / "g.json";
    doc.save(path);
    GraphDocument back = GraphDocument::load(path);
    EXPECT_EQ(back.nodes(), doc.nodes());
    EXPECT_EQ(back.links(), doc.links());
    EXPECT_EQ(back.metadata(), doc.metadata());
    EXPECT_EQ(back.toJson(), doc.toJson());
    EXPECT_EQ(back.formatVersion(), GraphDocument::kFormatVersion);
    const GraphNode* s = back.findNode("sampler");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->typeVersion, 2);
    EXPECT_EQ(s->params["guidance"], 4.5);
    EXPECT_TRUE(back.findNode("encode")->bypass);
    EXPECT_EQ(back.findNode("load")->ui["pos"][1], 20);
    // The file is the documented format.
    json j = readJsonFile(path);
    EXPECT_EQ(j["format"], "sanavideo.graph");
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["links"][0]["from"]["node"], "load");
}

TEST(GraphDocument, KeepsNewerVersionAndUnknownContentForValidation) {
    json j = sampleDoc().toJson();
    j["version"] = 9;
    GraphDocument doc = GraphDocument::fromJson(j);
    EXPECT_EQ(doc.formatVersion(), 9);
    EXPECT_EQ(doc.toJson()["version"], 9) << "saving must not claim to understand a newer file";
}

TEST(GraphDocument, StructuralErrorsAreListedTogether) {
    json j = {{"format", "sanavideo.graph"},
              {"version", 1},
              {"nodes", {{{"id", "a"}}, 5, {{"type", "t"}, {"id", "b"}, {"params", 3}}}},
              {"links", {{{"from", {{"node", "a"}}}}}}};
    try {
        GraphDocument::fromJson(j, "my.json");
        FAIL();
    } catch (const Error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("my.json"), std::string::npos) << m;
        EXPECT_NE(m.find("node 0 ('a'): \"type\" missing"), std::string::npos) << m;
        EXPECT_NE(m.find("node 1 is a number"), std::string::npos) << m;
        EXPECT_NE(m.find("node 2 ('b'): \"params\" is a number"), std::string::npos) << m;
        EXPECT_NE(m.find("link 0: needs \"from\" and \"to\""), std::string::npos) << m;
    }
    EXPECT_THROW(GraphDocument::parse("[1,2]"), Error);
    EXPECT_THROW(GraphDocument::parse("{\"version\": 1}"), Error);
    EXPECT_THROW(GraphDocument::parse("{not json"), Error);
}

TEST(GraphDocument, OnlyRegularFilesAreLoaded) {
    test::TempDir dir;
    const fs::path fifo = dir.path() / "graph.json";
    test::makeFifo(fifo);
    test::expectRefusedQuickly(
        [&] { (void)GraphDocument::load(fifo); },
        "graph file '" + fifo.string() + "' is a named pipe (FIFO), not a regular file", fifo);
    test::expectRefusedQuickly([&] { (void)GraphDocument::readFile(fifo); }, "named pipe", fifo);
    test::expectRefusedQuickly([&] { (void)GraphDocument::load("/dev/zero"); }, "is a character device");
    test::expectRefusedQuickly([&] { (void)GraphDocument::load(dir.path()); }, "is a folder, not a file");
    const fs::path big = dir.path() / "big.json";
    std::ofstream(big) << "{}";
    fs::resize_file(big, 17 << 20);
    test::expectRefusedQuickly([&] { (void)GraphDocument::load(big); },
                               "a graph file may have at most 16.8 MB");
}

TEST(GraphDocument, ParseErrorsQuoteLittleOfTheInput) {
    // An unterminated 5 MB string: the JSON library's "last read" would quote all of it.
    const std::string text = "{\"format\": \"" + std::string(5 << 20, 'a');
    try {
        GraphDocument::parse(text, "big.json");
        FAIL();
    } catch (const Error& e) {
        EXPECT_LT(std::string(e.what()).size(), 1000u);
        EXPECT_NE(std::string(e.what()).find("big.json: invalid JSON"), std::string::npos) << e.what();
    }
}

TEST(GraphDocument, EditApiNotifiesObservers) {
    GraphDocument doc;
    std::vector<GraphChange> seen;
    auto id = doc.addObserver([&](const GraphChange& c) { seen.push_back(c); });
    using K = GraphChange::Kind;

    EXPECT_EQ(doc.addNode("sana.sampler"), "sampler");
    EXPECT_EQ(doc.addNode("sana.sampler"), "sampler_2");
    doc.addNode("sana.decode", 1, json::object(), json::object(), "dec");
    EXPECT_THROW(doc.addNode("x", 1, json::object(), json::object(), "dec"), Error);
    EXPECT_THROW(doc.addNode("x", 1, json::object(), json::object(), "bad.id"), Error);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[2].kind, K::NodeAdded);
    EXPECT_EQ(seen[2].nodeId, "dec");

    seen.clear();
    EXPECT_EQ(doc.setParam("sampler", "seed", 5), json());
    EXPECT_EQ(doc.setParam("sampler", "seed", 6), json(5));
    doc.setParam("sampler", "seed", 6);  // unchanged: no notification
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].kind, K::ParamChanged);
    EXPECT_EQ(seen[1].name, "seed");
    EXPECT_EQ(doc.setParam("sampler", "seed", nullptr), json(6));
    EXPECT_FALSE(doc.findNode("sampler")->params.contains("seed"));
    EXPECT_THROW(doc.setParam("nope", "seed", 1), Error);

    seen.clear();
    EXPECT_FALSE(doc.connect({"sampler", "latent"}, {"dec", "latent"}).has_value());
    auto replaced = doc.connect({"sampler_2", "latent"}, {"dec", "latent"});
    ASSERT_TRUE(replaced.has_value());
    EXPECT_EQ(replaced->from.node, "sampler");
    EXPECT_EQ(doc.links().size(), 1u) << "an input holds one link";
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].kind, K::LinkAdded);
    EXPECT_EQ(seen[1].kind, K::LinkRemoved);
    EXPECT_EQ(seen[1].link.from.node, "sampler");
    EXPECT_EQ(seen[2].kind, K::LinkAdded);
    EXPECT_THROW(doc.connect({"ghost", "x"}, {"dec", "latent"}), Error);

    seen.clear();
    EXPECT_FALSE(doc.setBypass("dec", true));
    EXPECT_EQ(doc.setNodeUiData("dec", {{"pos", {1, 2}}}), json::object());
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].kind, K::BypassChanged);
    EXPECT_EQ(seen[1].kind, K::UiDataChanged);

    // removeNode takes its links with it and gives back what undo needs.
    seen.clear();
    auto removed = doc.removeNode("sampler_2");
    EXPECT_EQ(removed.node.id, "sampler_2");
    ASSERT_EQ(removed.links.size(), 1u);
    EXPECT_TRUE(doc.links().empty());
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].kind, K::LinkRemoved);
    EXPECT_EQ(seen[1].kind, K::NodeRemoved);
    doc.insertNode(removed.node);
    for (const auto& l : removed.links) doc.connect(l.from, l.to);
    EXPECT_EQ(doc.links().size(), 1u);
    EXPECT_EQ(*doc.findNode("sampler_2"), removed.node);

    EXPECT_TRUE(doc.disconnect({"dec", "latent"}).has_value());
    EXPECT_FALSE(doc.disconnect({"dec", "latent"}).has_value());

    doc.removeObserver(id);
    seen.clear();
    doc.setBypass("dec", false);
    EXPECT_TRUE(seen.empty());
}

TEST(GraphDocument, CopiesDoNotCarryObservers) {
    GraphDocument doc = sampleDoc();
    int calls = 0;
    doc.addObserver([&](const GraphChange&) { ++calls; });
    GraphDocument copy = doc;
    copy.setBypass("encode", false);
    EXPECT_EQ(calls, 0);
    doc = copy;  // assignment notifies Reset
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(doc.findNode("encode")->bypass);
}

}  // namespace
}  // namespace sv::plugin
