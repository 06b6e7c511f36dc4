// validateGraph reports every problem with a precise message; checkConnection explains refusals.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "plugin/graph/validation.h"
#include "test_nodes.h"

namespace sv::plugin {
namespace {

using nlohmann::json;
using Kind = GraphIssue::Kind;

class Validation : public ::testing::Test {
  protected:
    Validation() { test::registerTestNodes(registry); }

    /// A valid chain: load → encode → sampler → decode → save.
    static json chain() {
        return {{"format", "sanavideo.graph"},
                {"version", 1},
                {"nodes",
                 {{{"id", "load"}, {"type", "test.load_model"}},
                  {{"id", "enc"}, {"type", "test.encode"}},
                  {{"id", "sam"}, {"type", "test.sampler"}},
                  {{"id", "dec"}, {"type", "test.decode"}},
                  {{"id", "save"}, {"type", "test.save"}}}},
                {"links",
                 {link("load", "model", "enc", "model"), link("load", "model", "sam", "model"),
                  link("enc", "cond", "sam", "cond"), link("sam", "latent", "dec", "latent"),
                  link("dec", "video", "save", "video")}}};
    }
    static json link(const char* fn, const char* fp, const char* tn, const char* tp) {
        return {{"from", {{"node", fn}, {"port", fp}}}, {"to", {{"node", tn}, {"port", tp}}}};
    }
    std::vector<GraphIssue> check(const json& j) {
        return validateGraph(GraphDocument::fromJson(j), registry);
    }

    /// The single issue of kind k (fails when there is not exactly one).
    static GraphIssue only(const std::vector<GraphIssue>& issues, Kind k) {
        std::vector<GraphIssue> of;
        std::copy_if(issues.begin(), issues.end(), std::back_inserter(of),
                     [&](const GraphIssue& i) { return i.kind == k; });
        EXPECT_EQ(of.size(), 1u) << formatIssues(issues);
        return of.empty() ? GraphIssue{} : of[0];
    }

    NodeRegistry registry;
};

TEST_F(Validation, ValidChainHasNoIssues) {
    auto issues = check(chain());
    EXPECT_TRUE(issues.empty()) << formatIssues(issues);
}

TEST_F(Validation, NewerFormatVersion) {
    json j = chain();
    j["version"] = 2;
    auto i = only(check(j), Kind::NewerFormat);
    EXPECT_TRUE(i.isError());
    EXPECT_EQ(i.nodeId, "");
    EXPECT_EQ(i.message,
              "graph format version 2 is newer than this build supports (1); open it with a newer Sana Video "
              "Studio");
}

TEST_F(Validation, UnknownNodeType) {
    json j = chain();
    j["nodes"].push_back({{"id", "x"}, {"type", "acme.magic"}});
    auto i = only(check(j), Kind::UnknownNodeType);
    EXPECT_EQ(i.nodeId, "x");
    EXPECT_EQ(i.message, "node 'x': unknown node type 'acme.magic' (is its node pack installed?)");
}

TEST_F(Validation, DuplicateAndInvalidNodeIds) {
    json j = chain();
    j["nodes"].push_back({{"id", "sam"}, {"type", "test.const_int"}});
    j["nodes"].push_back({{"id", "a.b"}, {"type", "test.const_int"}});
    auto issues = check(j);
    auto d = only(issues, Kind::DuplicateNodeId);
    EXPECT_EQ(d.message, "duplicate node id 'sam' (nodes 2 and 5)");
    auto v = only(issues, Kind::InvalidNodeId);
    EXPECT_EQ(v.message, "node 6 has an invalid id 'a.b' (use letters, digits, '_' and '-')");
}

TEST_F(Validation, MissingRequiredInput) {
    json j = chain();
    j["links"].erase(2);  // enc.cond -> sam.cond
    auto i = only(check(j), Kind::MissingInput);
    EXPECT_EQ(i.nodeId, "sam");
    EXPECT_EQ(i.port, "cond");
    EXPECT_EQ(i.message, "node 'sam' (test.sampler): required input 'cond' (CONDITIONING) is not connected");
    // optional inputs may stay empty
    json k = {{"version", 1},
              {"nodes", {{{"id", "c"}, {"type", "test.const_int"}}, {{"id", "s"}, {"type", "test.add"}}}},
              {"links", {link("c", "value", "s", "a")}}};
    EXPECT_TRUE(check(k).empty()) << formatIssues(check(k));
}

TEST_F(Validation, TypeMismatch) {
    json j = chain();
    j["links"][3] = link("enc", "cond", "dec", "latent");
    auto i = only(check(j), Kind::TypeMismatch);
    EXPECT_EQ(i.nodeId, "dec");
    EXPECT_EQ(i.port, "latent");
    EXPECT_EQ(i.message,
              "link enc.cond -> dec.latent: CONDITIONING output 'cond' of node 'enc' (test.encode) cannot "
              "feed LATENT "
              "input 'latent' of node 'dec' (test.decode)");
}

TEST_F(Validation, DanglingLinks) {
    json j = chain();
    j["links"].push_back(link("ghost", "value", "save", "video"));
    j["links"].push_back(link("sam", "latent", "phantom", "latent"));
    j["links"].push_back(link("sam", "noise", "dec", "latent"));
    j["links"].push_back(link("load", "model", "enc", "clip"));
    auto issues = check(j);
    std::vector<std::string> msgs;
    for (const auto& i : issues)
        if (i.kind == Kind::DanglingLink) msgs.push_back(i.message);
    ASSERT_EQ(msgs.size(), 4u) << formatIssues(issues);
    EXPECT_EQ(msgs[0], "link ghost.value -> save.video: source node 'ghost' does not exist");
    EXPECT_EQ(msgs[1], "link sam.latent -> phantom.latent: target node 'phantom' does not exist");
    EXPECT_EQ(msgs[2], "link sam.noise -> dec.latent: node 'sam' (test.sampler) has no output 'noise'");
    EXPECT_EQ(msgs[3], "link load.model -> enc.clip: node 'enc' (test.encode) has no input 'clip'");
    // a second link into dec.latent (links from or to missing nodes are only dangling)
    EXPECT_EQ(only(issues, Kind::DuplicateInputLink).message,
              "link sam.noise -> dec.latent: input 'latent' of node 'dec' (test.decode) already has a link "
              "(an input "
              "takes one link)");
}

TEST_F(Validation, Cycle) {
    json j = {{"version", 1},
              {"nodes",
               {{{"id", "a"}, {"type", "test.add"}},
                {{"id", "b"}, {"type", "test.add"}},
                {{"id", "c"}, {"type", "test.add"}},
                {{"id", "k"}, {"type", "test.const_int"}}}},
              {"links",
               {link("a", "sum", "b", "a"), link("b", "sum", "c", "a"), link("c", "sum", "a", "a"),
                link("k", "value", "c", "b")}}};
    auto i = only(check(j), Kind::Cycle);
    EXPECT_EQ(i.message, "cycle in the graph through nodes a -> b -> c -> a");
    json self = {{"version", 1},
                 {"nodes", {{{"id", "a"}, {"type", "test.add"}}}},
                 {"links", {link("a", "sum", "a", "a")}}};
    EXPECT_EQ(only(check(self), Kind::Cycle).message, "cycle in the graph through nodes a -> a");
}

TEST_F(Validation, Parameters) {
    json j = chain();
    j["nodes"][2]["params"] = {
        {"steps", 0}, {"guidance", 31.5}, {"scheduler", "ddim"}, {"seed", "forty-two"}, {"colour", "red"}};
    j["nodes"][0]["params"] = {{"device", "tpu"}};
    auto issues = check(j);
    std::vector<std::string> msgs;
    for (const auto& i : issues) msgs.push_back(i.message);
    auto range = std::count_if(issues.begin(), issues.end(),
                               [](const GraphIssue& i) { return i.kind == Kind::ParamOutOfRange; });
    EXPECT_EQ(range, 2);
    auto has = [&](const std::string& m) { return std::find(msgs.begin(), msgs.end(), m) != msgs.end(); };
    EXPECT_TRUE(has("node 'sam' (test.sampler): parameter 'steps': 0 is below the minimum 1"))
        << formatIssues(issues);
    EXPECT_TRUE(has("node 'sam' (test.sampler): parameter 'guidance': 31.5 is above the maximum 30"));
    EXPECT_TRUE(
        has("node 'sam' (test.sampler): parameter 'scheduler': \"ddim\" is not one of: dpm, euler, unipc"));
    EXPECT_TRUE(has("node 'load' (test.load_model): parameter 'device': \"tpu\" is not one of: cpu, cuda"));
    EXPECT_TRUE(has("node 'sam' (test.sampler): parameter 'seed' expects INT, got string \"forty-two\""));
    auto unknown = only(issues, Kind::UnknownParam);
    EXPECT_FALSE(unknown.isError());
    EXPECT_EQ(unknown.param, "colour");
    EXPECT_EQ(std::count_if(issues.begin(), issues.end(),
                            [](const GraphIssue& i) { return i.kind == Kind::UnknownChoice; }),
              2);
    EXPECT_EQ(only(issues, Kind::ParamTypeMismatch).param, "seed");
}

TEST_F(Validation, NewerNodeVersion) {
    json j = chain();
    j["nodes"][3]["version"] = 3;
    EXPECT_EQ(
        only(check(j), Kind::NewerNodeVersion).message,
        "node 'dec' (test.decode) was saved with version 3 of the node type; the installed one is version 1");
}

TEST_F(Validation, EveryProblemAtOnce) {
    json j = chain();
    j["version"] = 5;
    j["nodes"].push_back({{"id", "x"}, {"type", "acme.magic"}});
    j["nodes"][2]["params"] = {{"steps", 5000}};
    j["links"].erase(4);  // save has no input
    j["links"].push_back(link("ghost", "v", "dec", "latent"));
    auto issues = check(j);
    std::set<Kind> kinds;
    for (const auto& i : issues) kinds.insert(i.kind);
    EXPECT_EQ(kinds, (std::set<Kind>{Kind::NewerFormat, Kind::UnknownNodeType, Kind::ParamOutOfRange,
                                     Kind::MissingInput, Kind::DanglingLink}))
        << formatIssues(issues);
    EXPECT_TRUE(hasErrors(issues));
}

TEST_F(Validation, CheckConnectionExplainsRefusals) {
    GraphDocument doc = GraphDocument::fromJson(chain());
    EXPECT_EQ(checkConnection(doc, registry, {"sam", "latent"}, {"dec", "latent"}), std::nullopt);
    EXPECT_EQ(checkConnection(doc, registry, {"enc", "cond"}, {"dec", "latent"}),
              "CONDITIONING output cannot feed LATENT input 'latent'");
    EXPECT_EQ(checkConnection(doc, registry, {"sam", "nope"}, {"dec", "latent"}),
              "node 'sam' (test.sampler) has no output 'nope'");
    EXPECT_EQ(checkConnection(doc, registry, {"dec", "video"}, {"dec", "latent"}),
              "a node cannot feed itself");
    doc.addNode("test.add", 1, json::object(), json::object(), "a1");
    doc.addNode("test.add", 1, json::object(), json::object(), "a2");
    doc.connect({"a1", "sum"}, {"a2", "a"});
    EXPECT_EQ(checkConnection(doc, registry, {"a2", "sum"}, {"a1", "a"}),
              "linking would create a cycle (a1 already feeds a2)");
    EXPECT_EQ(checkConnection(doc, registry, {"a1", "sum"}, {"a2", "b"}), std::nullopt);
}

TEST_F(Validation, OutputFileNamesThatLeaveTheOutputFolderAreErrors) {
    const std::vector<std::pair<std::string, std::string>> hostile = {
        {"/anywhere/else/x", "is an absolute path"},
        {"../../etc/x", "climbs out of the output folder with '..'"},
        {"sub/../../x", "climbs out"},
        {std::string("/home/me/.bashrc\0", 17), "contains a control character (NUL)"},
        {"clip\x1b[2Jx", "contains a control character (0x1b)"},
        {"a\\b", "contains a backslash"},
        {"out/", "names a folder"},
        {"a//b", "empty or '.' folder name"},
        {"", "is empty"},
        {"clip_{count}", "unknown field {count}"},
    };
    for (const auto& [name, why] : hostile) {
        SCOPED_TRACE(name);
        json j = chain();
        j["nodes"][4]["params"] = {{"filename", name}};
        const GraphIssue issue = only(check(j), Kind::BadOutputName);
        EXPECT_TRUE(issue.isError());
        EXPECT_EQ(issue.nodeId, "save");
        EXPECT_EQ(issue.param, "filename");
        EXPECT_NE(issue.message.find("node 'save' (test.save): parameter 'filename': "), std::string::npos)
            << issue.message;
        EXPECT_NE(issue.message.find(why), std::string::npos) << issue.message;
        EXPECT_EQ(issue.message.find('\x1b'), std::string::npos) << "escaped, not raw";
    }
    for (const std::string ok : {"clip", "shots/day_1/clip_{counter:05}", "..clip", "a.b.mp4"}) {
        json j = chain();
        j["nodes"][4]["params"] = {{"filename", ok}};
        EXPECT_TRUE(check(j).empty()) << ok << ": " << formatIssues(check(j));
    }
}

TEST_F(Validation, ParameterMultiplesAreCheckedBeforeRunning) {
    json j = chain();
    j["nodes"][2]["params"] = {{"frames", 10}, {"width", 33}};
    const auto issues = check(j);
    ASSERT_EQ(issues.size(), 2u) << formatIssues(issues);
    EXPECT_NE(formatIssues(issues).find("parameter 'frames': 10 is not 1 + 4·k"), std::string::npos)
        << formatIssues(issues);
    EXPECT_NE(formatIssues(issues).find("parameter 'width': 33 is not a multiple of 16"), std::string::npos)
        << formatIssues(issues);
    j["nodes"][2]["params"] = {{"frames", 81}, {"width", 832}};
    EXPECT_TRUE(check(j).empty()) << formatIssues(check(j));
}

TEST_F(Validation, MessagesQuoteLongOrHostileInputCutAndEscaped) {
    json j = chain();
    j["nodes"][3]["type"] = std::string(300000, 't') + "\x1b[2J";
    j["nodes"][0]["params"] = {{"device", std::string(100000, 'd')}};
    const std::string all = formatIssues(check(j));
    EXPECT_LT(all.size(), 2000u) << all.substr(0, 400);
    EXPECT_NE(all.find("(300004 bytes)"), std::string::npos) << all.substr(0, 400);
    EXPECT_EQ(all.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace sv::plugin
