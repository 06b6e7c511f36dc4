// The one cycle detection (findCycles) and ordering (dependencyOrder) used by validation and the executor.
#include <pthread.h>

#include <functional>

#include <gtest/gtest.h>

#include "base/error.h"
#include "plugin/graph/topology.h"

namespace sv::plugin {
namespace {

using nlohmann::json;

/// "n<i>" (concat, not `"n" + std::to_string(i)`, which GCC 12 flags with a false -Wrestrict).
std::string id(int i) {
    return concat("n", i);
}

/// n0 -> n1 -> ... (built from JSON: linear in n, unlike n edits).
GraphDocument chainOf(int n, bool loop = false) {
    json nodes = json::array(), links = json::array();
    for (int i = 0; i < n; ++i) nodes.push_back({{"id", id(i)}, {"type", "t.node"}});
    auto link = [](int a, int b, const char* port) {
        return json{{"from", {{"node", id(a)}, {"port", "out"}}}, {"to", {{"node", id(b)}, {"port", port}}}};
    };
    for (int i = 1; i < n; ++i) links.push_back(link(i - 1, i, "in"));
    if (loop) links.push_back(link(n - 1, 0, "loop"));
    return GraphDocument::fromJson({{"version", 1}, {"nodes", nodes}, {"links", links}});
}

const InputOrder kAsInDocument = [](const GraphNode&, std::vector<GraphLink>&) {};

TEST(Topology, CyclesAreListedInDocumentOrder) {
    GraphDocument doc = chainOf(4);  // n0 -> n1 -> n2 -> n3
    EXPECT_TRUE(findCycles(doc).empty());
    doc.connect({"n2", "out"}, {"n1", "back"});  // n1 <-> n2
    doc.connect({"n3", "out"}, {"n3", "self"});  // n3 -> n3
    const auto cycles = findCycles(doc);
    ASSERT_EQ(cycles.size(), 2u);
    EXPECT_EQ(describeCycle(cycles[0]), "n1 -> n2 -> n1");
    EXPECT_EQ(describeCycle(cycles[1]), "n3 -> n3");
}

TEST(Topology, DependencyOrderFollowsInputsAndRefusesCycles) {
    GraphDocument doc = chainOf(3);
    doc.addNode("t.node", 1, json::object(), json::object(), "side");
    doc.connect({"side", "out"}, {"n2", "extra"});
    const auto order = dependencyOrder(doc, {"n2"}, kAsInDocument);
    EXPECT_EQ(order, (std::vector<std::string>{"n0", "n1", "side", "n2"}));
    // A cycle outside the part to order does not matter; one inside it is named.
    doc.addNode("t.node", 1, json::object(), json::object(), "a");
    doc.addNode("t.node", 1, json::object(), json::object(), "b");
    doc.connect({"a", "out"}, {"b", "in"});
    doc.connect({"b", "out"}, {"a", "in"});
    EXPECT_NO_THROW(dependencyOrder(doc, {"n2"}, kAsInDocument));
    try {
        dependencyOrder(doc, {"b"}, kAsInDocument);
        FAIL() << "a cycle was ordered";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "cycle in the graph through nodes a -> b -> a");
    }
}

TEST(Topology, ReachesFollowsLinksForward) {
    const GraphDocument doc = chainOf(3);
    EXPECT_TRUE(reaches(doc, "n0", "n2"));
    EXPECT_FALSE(reaches(doc, "n2", "n0"));
    EXPECT_TRUE(reaches(doc, "n1", "n1"));
}

/// Runs fn on a thread with a 256 KiB stack and waits for it.
void onSmallStack(const std::function<void()>& fn) {
    pthread_attr_t attr;
    ASSERT_EQ(pthread_attr_init(&attr), 0);
    ASSERT_EQ(pthread_attr_setstacksize(&attr, size_t(256) << 10), 0);
    pthread_t thread;
    auto body = [](void* f) -> void* {
        (*static_cast<const std::function<void()>*>(f))();
        return nullptr;
    };
    ASSERT_EQ(pthread_create(&thread, &attr, body, const_cast<std::function<void()>*>(&fn)), 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
}

TEST(Topology, AHostileLongChainDoesNotExhaustTheStack) {
    // The longest chain a loaded document may hold (GraphDocument::kMaxNodes). Recursion would need one frame
    // per node: 4096 frames of more than 64 bytes overflow the 256 KiB stack the algorithms run on here.
    constexpr int kNodes = int(GraphDocument::kMaxNodes);
    const GraphDocument doc = chainOf(kNodes), loop = chainOf(kNodes, true);
    std::vector<std::vector<std::string>> acyclic, cycles;
    std::vector<std::string> order;
    onSmallStack([&] {
        acyclic = findCycles(doc);
        order = dependencyOrder(doc, {id(kNodes - 1)}, kAsInDocument);
        cycles = findCycles(loop);
    });
    EXPECT_TRUE(acyclic.empty());
    ASSERT_EQ(order.size(), size_t(kNodes));
    EXPECT_EQ(order.front(), "n0");
    ASSERT_EQ(cycles.size(), 1u);
    EXPECT_EQ(cycles[0].size(), size_t(kNodes));
}

}  // namespace
}  // namespace sv::plugin
