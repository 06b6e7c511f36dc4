// Sweeps as data: axis syntax (ranges, files, globs, lists, JSON values), errors naming the axis, product and
// zip order, variant names, spec files.
#include <gtest/gtest.h>

#include <fstream>

#include "base/error.h"
#include "farm_test_nodes.h"
#include "plugin/farm/farm_records.h"
#include "plugin/farm/sweep_spec.h"
#include "support/reference.h"

namespace sv::farm {
namespace {

namespace fs = std::filesystem;
using TempDir = ::sv::test::TempDir;
using nlohmann::json;

class SweepTest : public ::testing::Test {
  protected:
    void SetUp() override {
        test::registerFarmTestNodes(registry, counters);
        doc = sp::GraphDocument::parse(test::farmTestGraph(dir.path().string()));
    }
    Axis axis(const std::string& text) { return resolveAxis(parseAxis(text), doc, registry, dir.path()); }
    std::vector<json> values(const std::string& text) {
        std::vector<json> out;
        for (const AxisValue& v : axis(text).values) out.push_back(v.value);
        return out;
    }
    std::string error(const std::string& text) {
        try {
            axis(text);
        } catch (const Error& e) {
            return e.what();
        }
        return "no error";
    }
    void write(const std::string& name, const std::string& text) { std::ofstream(dir.path() / name) << text; }

    test::Counters counters;
    sp::NodeRegistry registry;
    TempDir dir;
    sp::GraphDocument doc;
};

TEST_F(SweepTest, RangesAreInclusiveAndTyped) {
    EXPECT_EQ(values("render.seed=1..4"), (std::vector<json>{1, 2, 3, 4}));
    EXPECT_EQ(values("render.seed=10..4:-3"), (std::vector<json>{10, 7, 4}));
    EXPECT_EQ(values("render.seed=5..5"), (std::vector<json>{5}));
    EXPECT_EQ(values("render.guidance=4.5..6:0.5"), (std::vector<json>{4.5, 5.0, 5.5, 6.0}));
    const Axis a = axis("render.guidance=1..2:0.5");
    EXPECT_EQ(a.values[1].label, "1.5");
    EXPECT_EQ(a.source, "render.guidance=1..2:0.5");
}

TEST_F(SweepTest, ListsFilesAndGlobs) {
    EXPECT_EQ(values("render.scheduler=dpm, euler"), (std::vector<json>{"dpm", "euler"}));
    EXPECT_EQ(values("render.seed=3,1,2"), (std::vector<json>{3, 1, 2}));
    write("prompts.txt", "a cat\r\n\n  \na dog, running\n");
    const Axis prompts = axis("render.prompt=@prompts.txt");
    ASSERT_EQ(prompts.values.size(), 2u);
    EXPECT_EQ(prompts.values[1].value, "a dog, running");
    EXPECT_EQ(prompts.values[1].label, "line2");
    fs::create_directories(dir.path() / "shots");
    for (const char* n : {"b.png", "a.png", "c.jpg"}) write(std::string("shots/") + n, "x");
    const Axis shots = axis("render.image=shots/*.png");
    ASSERT_EQ(shots.values.size(), 2u);
    EXPECT_EQ(shots.values[0].value, (dir.path() / "shots/a.png").string());  // sorted, absolute
    EXPECT_EQ(shots.values[1].label, "b");
    // A listed relative path becomes absolute too: the variant reads the same file wherever it runs.
    EXPECT_EQ(values("render.image=shots/c.jpg")[0], (dir.path() / "shots/c.jpg").string());
}

TEST_F(SweepTest, BadAxesNameTheAxisAndTheProblem) {
    EXPECT_NE(error("render.seed=0..2000").find("axis render.seed=0..2000: 1001 is above the maximum 1000"),
              std::string::npos)
        << error("render.seed=0..2000");
    EXPECT_NE(error("render.seed=1..5:0").find("non-zero"), std::string::npos);
    EXPECT_NE(error("render.seed=5..1:1").find("never reaches"), std::string::npos);
    EXPECT_NE(
        error("render.seed=1,x").find("axis render.seed=1,x: parameter 'seed': \"x\" is not an integer"),
        std::string::npos)
        << error("render.seed=1,x");
    EXPECT_NE(error("render.scheduler=dpm,heun").find("heun"), std::string::npos);
    EXPECT_NE(error("render.prompt=@missing.txt").find("cannot read"), std::string::npos);
    EXPECT_NE(error("render.image=shots/*.exr").find("no file matches"), std::string::npos);
    EXPECT_NE(error("render.nope=1").find("has no parameter 'nope'"), std::string::npos);
    EXPECT_NE(error("ghost.seed=1").find("no node 'ghost'"), std::string::npos);
    EXPECT_THROW(parseAxis("render.seed"), Error);
    EXPECT_THROW(parseAxis("render.seed="), Error);
    EXPECT_THROW(parseAxis("seed=1..3"), Error);
}

TEST_F(SweepTest, ProductVariesTheLastAxisFastestAndNamesEveryValue) {
    const std::vector<Axis> axes = {axis("render.seed=1..2"), axis("render.scheduler=dpm,euler")};
    const auto v = expandVariants(axes, Combine::Product);
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[0].name, "001_seed-1_scheduler-dpm");
    EXPECT_EQ(v[1].name, "002_seed-1_scheduler-euler");
    EXPECT_EQ(v[3].name, "004_seed-2_scheduler-euler");
    EXPECT_EQ(v[2].values[0].value, 2);
    EXPECT_EQ(v[2].values[1].value, "dpm");
    EXPECT_EQ(v[3].index, 3);
}

TEST_F(SweepTest, ZipPairsValuesAndNeedsEqualLengths) {
    write("prompts.txt", "a cat\na dog\na bird\n");
    const std::vector<Axis> axes = {axis("render.seed=7..9"), axis("render.prompt=@prompts.txt")};
    const auto v = expandVariants(axes, Combine::Zip);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[2].name, "003_seed-9_prompt-line3");
    EXPECT_EQ(v[2].values[1].value, "a bird");
    const std::vector<Axis> uneven = {axis("render.seed=1..4"), axis("render.prompt=@prompts.txt")};
    try {
        expandVariants(uneven, Combine::Zip);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("render.seed has 4, render.prompt has 3"), std::string::npos)
            << e.what();
    }
}

TEST_F(SweepTest, NamesAreUniqueFileNames) {
    EXPECT_EQ(expandVariants({}, Combine::Product).size(), 1u);
    EXPECT_EQ(expandVariants({}, Combine::Product)[0].name, "001");
    const auto v =
        expandVariants(std::vector<Axis>{axis("render.prompt=a/../cat?,  ..hidden")}, Combine::Product);
    EXPECT_EQ(v[0].name, "001_prompt-a-..-cat");
    EXPECT_EQ(v[1].name, "002_prompt-hidden");  // never a hidden file or a path
    for (const Variant& x : v) EXPECT_TRUE(isPlainName(x.name)) << x.name;
    EXPECT_EQ(slugify("../../etc/passwd"), "-..-etc-passwd");
    EXPECT_EQ(slugify(""), "x");
    EXPECT_EQ(slugify("a very long prompt about a cat and a dog", 10), "a-very-lon");
    // 1000 variants: the index widens to 4 digits for every name.
    const auto many = expandVariants(std::vector<Axis>{axis("render.seed=1..1000")}, Combine::Product);
    EXPECT_EQ(many.front().name, "0001_seed-1");
    EXPECT_EQ(many.back().name, "1000_seed-1000");
}

TEST_F(SweepTest, VariantsRoundTripThroughJson) {
    const auto v = expandVariants(std::vector<Axis>{axis("render.seed=1..2"), axis("render.guidance=4,5.5")},
                                  Combine::Product);
    const Variant back = variantFromJson(variantToJson(v[3]), "test");
    EXPECT_EQ(back.name, v[3].name);
    EXPECT_EQ(back.values[1].value, 5.5);
    json bad = variantToJson(v[0]);
    bad["name"] = "../escape";
    EXPECT_THROW(variantFromJson(bad, "test"), Error);
    EXPECT_THROW(variantFromJson(json::parse("{\"index\": 1}"), "test"), Error);
}

TEST_F(SweepTest, SpecFilesNameTheGraphAndResolveBesideIt) {
    doc.save(dir.path() / "graph.json");
    write("prompts.txt", "a cat\na dog\n");
    write("sweep.json", R"({"format": "sanavideo.sweep", "version": 1, "graph": "graph.json",
        "set": ["render.steps=5"], "combine": "zip",
        "axes": ["render.prompt=@prompts.txt", {"param": "render.seed", "values": [3, 4]}],
        "farm": {"chunk": 2, "gpus": 1, "partition": "gpu", "time": "01:00:00", "extra": ["--qos=low"]}})");
    ASSERT_TRUE(SweepSpec::isSpecFile(dir.path() / "sweep.json"));
    EXPECT_FALSE(SweepSpec::isSpecFile(dir.path() / "graph.json"));
    const SweepSpec spec = SweepSpec::load(dir.path() / "sweep.json");
    EXPECT_EQ(spec.farm.chunk, 2);
    EXPECT_EQ(spec.farm.extraArgs, std::vector<std::string>{"--qos=low"});
    const Sweep sweep = prepareSweep(spec, registry);
    ASSERT_EQ(sweep.variants.size(), 2u);
    EXPECT_EQ(sweep.variants[1].name, "002_prompt-line2_seed-4");
    EXPECT_EQ(sweep.graph.findNode("render")->params["steps"], 5);
    // Saved again (what a job folder keeps), it loads to the same sweep.
    writeJsonAtomically(dir.path() / "again.json", spec.toJson(dir.path()));
    EXPECT_EQ(prepareSweep(SweepSpec::load(dir.path() / "again.json"), registry).variants[1].name,
              sweep.variants[1].name);

    write("bad.json",
          R"({"format": "sanavideo.sweep", "version": 1, "graph": "graph.json", "farm": {"chunk": 0}})");
    try {
        SweepSpec::load(dir.path() / "bad.json");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("\"chunk\" must be between 1 and 100000"), std::string::npos)
            << e.what();
    }
    write("version.json", R"({"format": "sanavideo.sweep", "version": 9, "graph": "graph.json"})");
    EXPECT_THROW(SweepSpec::load(dir.path() / "version.json"), Error);
}

}  // namespace
}  // namespace sv::farm
