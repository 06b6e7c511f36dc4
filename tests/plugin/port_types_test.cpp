// Open port types: the SDK's value kinds in every registry, pack types registered with a name, colour and
// object tag, conflicts refused, links and outputs checked by id and tag.
#include <gtest/gtest.h>

#include "plugin/exec/executor.h"
#include "plugin/graph/validation.h"
#include "support/reference.h"
#include "test_nodes.h"

namespace sv::plugin {
namespace {

using nlohmann::json;

TEST(PortTypes, EveryRegistryKnowsTheValueKindsAndNoModelType) {
    NodeRegistry r;
    std::vector<std::string> ids;
    for (const auto& t : r.portTypes()) ids.push_back(t.type.id());
    EXPECT_EQ(ids,
              (std::vector<std::string>{"INT", "FLOAT", "STRING", "BOOL", "PATH", "ENUM", "IMAGE", "VIDEO"}));
    EXPECT_EQ(r.findPortType(PortType::Image)->objectTag, kImageTag);
    EXPECT_EQ(r.findPortType(PortType::Video)->objectTag, kVideoTag);
    EXPECT_EQ(r.findPortType(PortType("LATENT")), nullptr);
    EXPECT_EQ(r.findPortType(PortType("MODEL")), nullptr);
}

TEST(PortTypes, APackRegistersItsTypesAndConflictsAreRefused) {
    NodeRegistry r;
    r.addPortType({PortType("LATENT"), "Latent", 0xff9cf9, "a.latent"});
    const PortTypeInfo* t = r.findPortType(PortType("LATENT"));
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->displayName, "Latent");
    EXPECT_EQ(t->colour, 0xff9cf9u);
    // Another pack sharing the type registers it again: fine with the same tag, refused with another.
    EXPECT_NO_THROW(r.addPortType({PortType("LATENT"), "Other name", 0x000000, "a.latent"}));
    EXPECT_EQ(r.findPortType(PortType("LATENT"))->displayName, "Latent");
    try {
        r.addPortType({PortType("LATENT"), "Latent", 0, "b.latent"});
        FAIL() << "a conflicting tag was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("already registered with object tag 'a.latent', not 'b.latent'"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(r.addPortType({PortType("has space"), "x", 0, ""}), Error);
    EXPECT_THROW(r.addPortType({PortType(), "x", 0, ""}), Error);
}

TEST(PortTypes, NodesMayOnlyUseRegisteredTypes) {
    NodeRegistry r;
    NodeDescriptor d{"x.node", 1, "Node", "X"};
    d.outputs = {PortSpec::required("out", PortType("WIDGET"))};
    try {
        r.add(d, [] { return std::unique_ptr<Node>(); });
        FAIL() << "an unregistered port type was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("port 'out' has the unregistered type 'WIDGET'"),
                  std::string::npos)
            << e.what();
    }
    NodeDescriptor untyped{"x.untyped", 1, "Untyped", "X"};
    untyped.inputs = {PortSpec{"in", PortType(), {}, false, {}}};
    EXPECT_FALSE(untyped.check().empty());
}

TEST(PortTypes, MergeBringsThePackTypesAllOrNothing) {
    NodeRegistry host, pack, rival;
    pack.addPortType({PortType("LATENT"), "Latent", 1, "a.latent"});
    NodeDescriptor d{"a.sampler", 1, "Sampler", "A"};
    d.outputs = {PortSpec::required("latent", PortType("LATENT"))};
    pack.add<test::ConstIntNode>(d);
    host.merge(std::move(pack), "a");
    ASSERT_NE(host.findPortType(PortType("LATENT")), nullptr);
    EXPECT_NE(host.find("a.sampler"), nullptr);

    rival.addPortType({PortType("LATENT"), "Latent", 2, "b.latent"});
    NodeDescriptor e{"b.decode", 1, "Decode", "B"};
    e.inputs = {PortSpec::required("latent", PortType("LATENT"))};
    rival.add<test::ConstIntNode>(e);
    EXPECT_THROW(host.merge(std::move(rival), "b"), Error);
    EXPECT_EQ(host.find("b.decode"), nullptr);  // nothing of the conflicting pack was merged
    EXPECT_EQ(host.findPortType(PortType("LATENT"))->objectTag, "a.latent");
}

TEST(PortTypes, LinksAreCheckedById) {
    NodeRegistry r;
    test::registerTestNodes(r);
    GraphDocument doc;
    doc.addNode("test.load_model", 1, json::object(), json::object(), "load");
    doc.addNode("test.decode", 1, json::object(), json::object(), "dec");
    const auto why = checkConnection(doc, r, {"load", "model"}, {"dec", "latent"});
    ASSERT_TRUE(why.has_value());
    EXPECT_EQ(*why, "MODEL output cannot feed LATENT input 'latent'");
    EXPECT_TRUE(canConvert(PortType::Int, PortType::Float));
    EXPECT_FALSE(canConvert(PortType("LATENT"), PortType("MODEL")));
}

/// Returns an object with the tag `test.cond` on its LATENT output.
class WrongTagNode : public Node {
  public:
    ValueMap evaluate(const ValueMap&, const ValueMap&, NodeContext&) override {
        ValueMap out;
        out.set("latent", Value::object("test.cond", std::make_shared<const test::FakeCond>()));
        return out;
    }
};

TEST(PortTypes, TheExecutorRefusesAnObjectOfAnotherTag) {
    NodeRegistry r;
    test::registerTestNodes(r);
    NodeDescriptor d{"test.wrong_tag", 1, "Wrong tag", "Test"};
    d.outputs = {PortSpec::required("latent", test::kLatent)};
    r.add<WrongTagNode>(d);
    GraphDocument doc;
    doc.addNode("test.wrong_tag", 1, json::object(), json::object(), "w");
    sv::test::TempDir tmp;
    RunRequest request;
    request.outputDir = tmp.path();
    Executor ex(r);
    const RunResult result = ex.run(doc, request);
    EXPECT_EQ(result.status, RunResult::Status::Failed);
    EXPECT_EQ(result.message, "returned <test.cond> for LATENT output 'latent'");
}

}  // namespace
}  // namespace sv::plugin
