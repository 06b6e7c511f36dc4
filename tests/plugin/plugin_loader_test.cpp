// PluginLoader: a good node pack loads from a plugin folder and its nodes run; broken and incompatible
// libraries (not a Qt plugin, wrong interface id, throwing while registering, duplicate node types, garbage
// bytes) are skipped with a message each and never stop the others.
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "plugin/exec/executor.h"
#include "plugin/sdk/node_pack.h"
#include "plugin/sdk/plugin_loader.h"
#include "support/reference.h"

namespace sv::plugin {
namespace {

namespace fs = std::filesystem;

fs::path packFile(const std::string& name) {
    return fs::path(SV_TEST_PACK_DIR) / ("libsv_testpack_" + name + ".so");
}

void copyInto(const fs::path& dir, const std::string& name) {
    ASSERT_TRUE(fs::exists(packFile(name))) << packFile(name);
    fs::copy_file(packFile(name), dir / packFile(name).filename());
}

const PluginReport* reportFor(const std::vector<PluginReport>& reports, const std::string& name) {
    for (const auto& r : reports)
        if (r.file.filename() == packFile(name).filename() || r.file.filename() == name) return &r;
    return nullptr;
}

TEST(PluginLoader, GoodPackLoadsAndItsNodesRun) {
    sv::test::TempDir dir;
    copyInto(dir.path(), "a_good");
    NodeRegistry registry;
    PluginLoader loader;
    auto reports = loader.loadFolders({dir.path()}, registry);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_TRUE(reports[0].loaded) << reports[0].message;
    EXPECT_EQ(reports[0].pack, "good-pack");
    EXPECT_EQ(reports[0].nodeTypes, (std::vector<std::string>{"testpack.const", "testpack.double",
                                                              "testpack.show", "testpack.slow"}));
    EXPECT_TRUE(loader.problems().empty());
    const auto* entry = registry.findEntry("testpack.double");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->pack, "good-pack");

    GraphDocument doc;
    doc.addNode("testpack.const", 1, nlohmann::json::object(), nlohmann::json::object(), "c");
    doc.addNode("testpack.double", 1, nlohmann::json::object(), nlohmann::json::object(), "d");
    doc.connect({"c", "value"}, {"d", "value"});
    Executor executor(registry);
    RunResult r = executor.run(doc, {{}, dir.path()});
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.outputs["d"].getInt("twice"), 42);
}

TEST(PluginLoader, BrokenAndIncompatiblePluginsAreSkippedWithMessages) {
    sv::test::TempDir dir;
    for (const char* p :
         {"a_good", "b_duplicate", "c_throwing", "d_wrong_iid", "e_not_plugin", "f_alien_throw"})
        copyInto(dir.path(), p);
    {
        std::ofstream garbage(dir.path() / "garbage.so");
        garbage << "this is not an ELF file";
        std::ofstream readme(dir.path() / "README.txt");
        readme << "ignored: no library suffix";
    }
    NodeRegistry registry;
    PluginLoader loader;
    std::vector<PluginReport> reports;
    ASSERT_NO_THROW(reports = loader.loadFolders({dir.path(), dir.path() / "missing"}, registry));
    ASSERT_EQ(reports.size(), 7u);

    const PluginReport* good = reportFor(reports, "a_good");
    ASSERT_NE(good, nullptr);
    EXPECT_TRUE(good->loaded) << good->message;

    const PluginReport* dup = reportFor(reports, "b_duplicate");
    ASSERT_NE(dup, nullptr);
    EXPECT_FALSE(dup->loaded);
    EXPECT_EQ(
        dup->message,
        "pack 'duplicate-pack' skipped: duplicate node types: 'testpack.double' (already registered by pack "
        "'good-pack')");
    EXPECT_EQ(registry.find("testpack.other"), nullptr) << "a rejected pack registers nothing";
    EXPECT_EQ(registry.findEntry("testpack.double")->pack, "good-pack");

    const PluginReport* thrower = reportFor(reports, "c_throwing");
    ASSERT_NE(thrower, nullptr);
    EXPECT_FALSE(thrower->loaded);
    EXPECT_EQ(thrower->message,
              "pack 'throwing-pack' failed while registering its nodes: cannot find its model folder");

    // name() throwing an int (not a std::exception) used to terminate the host.
    const PluginReport* alien = reportFor(reports, "f_alien_throw");
    ASSERT_NE(alien, nullptr);
    EXPECT_FALSE(alien->loaded);
    EXPECT_EQ(alien->message, "name() threw an unknown exception (not a std::exception)");

    const PluginReport* old = reportFor(reports, "d_wrong_iid");
    ASSERT_NE(old, nullptr);
    EXPECT_FALSE(old->loaded);
    EXPECT_EQ(old->message,
              "incompatible plugin: interface id 'org.sanavideo.NodePack/0.9', expected "
              "'org.sanavideo.NodePack/1.1'");

    for (const char* name : {"e_not_plugin", "garbage.so"}) {
        const PluginReport* r = reportFor(reports, name);
        ASSERT_NE(r, nullptr) << name;
        EXPECT_FALSE(r->loaded);
        EXPECT_EQ(r->message, "not a Qt plugin (no plugin metadata)") << name;
    }

    auto problems = loader.problems();
    EXPECT_EQ(problems.size(), 6u);
    for (const auto& p : problems) EXPECT_EQ(p.rfind(dir.path().string(), 0), 0u) << "names the file: " << p;
    EXPECT_EQ(registry.size(), 4u);
}

TEST(PluginLoader, SearchPathHonoursTheEnvironment) {
    sv::test::TempDir a, b;
    std::string value =
        a.path().string() + ":/definitely/not/here:" + b.path().string() + ":" + a.path().string();
    ::setenv("SV_PLUGIN_PATH", value.c_str(), 1);
    auto paths = PluginLoader::defaultSearchPaths();
    ::unsetenv("SV_PLUGIN_PATH");
    ASSERT_GE(paths.size(), 2u);
    EXPECT_EQ(paths[0], fs::weakly_canonical(a.path()));
    EXPECT_EQ(paths[1], fs::weakly_canonical(b.path()));
    EXPECT_EQ(std::count(paths.begin(), paths.end(), paths[0]), 1) << "no duplicates";
}

class InProcessPack : public NodePackInterface {
  public:
    std::string name() const override { return "in-process"; }
    void registerNodes(NodeRegistry& r) override {
        NodeDescriptor d{"inproc.bad", 1, "Bad", "X"};
        d.params = {ParamSpec::integer("n", 100).range(0, 10)};
        r.add(d, [] { return std::unique_ptr<Node>(); });
    }
};

/// Throws what no handler for std::exception catches.
struct Alien {};

class AlienPack : public NodePackInterface {
  public:
    std::string name() const override { return "alien"; }
    void registerNodes(NodeRegistry& r) override {
        r.add(NodeDescriptor{"alien.factory", 1, "Factory throws", "X"},
              []() -> std::unique_ptr<Node> { throw Alien{}; });
        if (registerThrows) throw Alien{};
    }
    bool registerThrows = false;
};

TEST(PluginLoader, ExceptionsThatAreNotStdExceptionsAreReportedNotFatal) {
    NodeRegistry registry;
    AlienPack bad;
    bad.registerThrows = true;
    PluginReport r = PluginLoader::registerPack(bad, registry);
    EXPECT_FALSE(r.loaded);
    EXPECT_EQ(r.message, "pack 'alien' threw an unknown exception while registering its nodes");
    EXPECT_EQ(registry.size(), 0u);

    // A factory that throws a non-std exception fails its node; the run ends normally.
    AlienPack pack;
    ASSERT_TRUE(PluginLoader::registerPack(pack, registry).loaded);
    GraphDocument doc;
    doc.addNode("alien.factory", 1, nlohmann::json::object(), nlohmann::json::object(), "a");
    Executor executor(registry);
    sv::test::TempDir dir;
    RunResult run = executor.run(doc, {{"a"}, dir.path()});
    EXPECT_EQ(run.status, RunResult::Status::Failed);
    EXPECT_EQ(run.failedNode, "a");
    EXPECT_NE(run.message.find("unknown exception"), std::string::npos) << run.message;
}

TEST(PluginLoader, InProcessPackWithAnInvalidDescriptorIsReported) {
    NodeRegistry registry;
    InProcessPack pack;
    PluginReport r = PluginLoader::registerPack(pack, registry);
    EXPECT_FALSE(r.loaded);
    EXPECT_EQ(r.message,
              "pack 'in-process' failed while registering its nodes: node type 'inproc.bad': parameter 'n': "
              "default "
              "100 is above the maximum 10");
    EXPECT_EQ(registry.size(), 0u);
}

}  // namespace
}  // namespace sv::plugin
