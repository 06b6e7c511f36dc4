// Output file names stay inside the output folder: resolveOutputPath counts up or refuses an existing name,
// creates sub-folders without following a symbolic link out of the folder, and never writes through a link.
#include <fstream>

#include <gtest/gtest.h>

#include "base/error.h"
#include "plugin/sdk/output_path.h"
#include "support/hostile_files.h"
#include "support/reference.h"

namespace sv::plugin {
namespace {

namespace fs = std::filesystem;

using test::entriesBelow;

class OutputPath : public ::testing::Test {
  protected:
    fs::path out() const { return tmp.path() / "out"; }
    fs::path outside() const { return tmp.path() / "outside"; }
    void SetUp() override {
        fs::create_directories(out());
        fs::create_directories(outside());
    }
    test::TempDir tmp;
};

TEST_F(OutputPath, CountersPickTheFirstFreeName) {
    const fs::path first = resolveOutputPath(out(), "shots/clip_{counter:03}", ".mp4", "filename");
    EXPECT_EQ(first, out() / "shots" / "clip_001.mp4");
    EXPECT_TRUE(fs::is_directory(out() / "shots"));
    std::ofstream(first) << "x";
    EXPECT_EQ(resolveOutputPath(out(), "shots/clip_{counter:03}", ".mp4", "filename").filename(),
              "clip_002.mp4");
    EXPECT_EQ(resolveOutputPath(out(), "seq_{counter}", "", "filename"), out() / "seq_1");
    EXPECT_EQ(expandCounterPattern("a{counter:04}b{counter}", 7, "p"), "a0007b7");
}

TEST_F(OutputPath, AnExistingFileIsNeverReplaced) {
    std::ofstream(out() / "clip.mp4") << "precious";
    const std::string why = test::errorMessage([&] { resolveOutputPath(out(), "clip", ".mp4", "filename"); });
    EXPECT_NE(why.find("parameter 'filename': "), std::string::npos) << why;
    EXPECT_NE(why.find("clip.mp4 already exists; output nodes never replace a file"), std::string::npos)
        << why;
    // A dangling symbolic link counts as taken: nothing is written through a link.
    fs::create_symlink(outside() / "target.mp4", out() / "link.mp4");
    EXPECT_THROW((void)resolveOutputPath(out(), "link", ".mp4", "filename"), Error);
    EXPECT_EQ(resolveOutputPath(out(), "link{counter}", ".mp4", "filename").filename(), "link1.mp4");
}

TEST_F(OutputPath, SymbolicLinksOutOfTheFolderAreRefused) {
    fs::create_directory_symlink(outside(), out() / "escape");
    const std::string why =
        test::errorMessage([&] { resolveOutputPath(out(), "escape/x", ".mp4", "filename"); });
    EXPECT_NE(why.find("is a symbolic link to " + fs::canonical(outside()).string()), std::string::npos)
        << why;
    EXPECT_NE(why.find("outside the output folder"), std::string::npos) << why;
    // Nor below such a link: no folder is created outside.
    EXPECT_THROW((void)resolveOutputPath(out(), "escape/deep/er/x", ".mp4", "filename"), Error);
    EXPECT_EQ(entriesBelow(outside()), 0u);
    // A link that stays inside the folder is fine.
    fs::create_directory(out() / "real");
    fs::create_directory_symlink(out() / "real", out() / "alias");
    EXPECT_EQ(resolveOutputPath(out(), "alias/x", ".mp4", "filename"), out() / "alias" / "x.mp4");
}

TEST_F(OutputPath, AFileWhereAFolderIsNeededIsRefused) {
    std::ofstream(out() / "taken") << "x";
    const std::string why =
        test::errorMessage([&] { resolveOutputPath(out(), "taken/x", ".mp4", "filename"); });
    EXPECT_NE(why.find("exists and is not a folder"), std::string::npos) << why;
}

TEST_F(OutputPath, HostilePatternsAreRefusedBeforeAnythingIsCreated) {
    const std::vector<std::string> hostile = {"/etc/x",
                                              "../x",
                                              "a/../../x",
                                              "a/./b",
                                              std::string("x\0y", 3),
                                              "x\x1b",
                                              "a\\b",
                                              "dir/",
                                              std::string(300, 'n'),
                                              "clip_{counter:99}"};
    for (const std::string& p : hostile) {
        SCOPED_TRACE(excerpt(p));
        EXPECT_NE(checkOutputPattern(p), "");
        EXPECT_THROW((void)resolveOutputPath(out(), p, ".mp4", "filename"), Error);
    }
    EXPECT_EQ(entriesBelow(out()), 0u);
    EXPECT_EQ(entriesBelow(outside()), 0u);
    EXPECT_EQ(checkOutputPattern("sana_{counter:05}"), "");
}

}  // namespace
}  // namespace sv::plugin
