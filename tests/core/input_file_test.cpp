// Inputs are files: a FIFO, a device (/dev/zero) or a folder where a graph, config, tokenizer or weights file
// is expected is refused within a second, before it is opened, with a message naming what it is; files over
// their kind's size limit are refused before they are read; reads can be cancelled.
#include <fstream>

#include <gtest/gtest.h>

#include "base/cancelled.h"
#include "io/input_file.h"
#include "io/json_util.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "schedulers/scheduler.h"
#include "support/hostile_files.h"
#include "support/reference.h"
#include "text/tokenizer.h"

namespace sv {
namespace {

namespace fs = std::filesystem;
using io::InputKind;

constexpr const char* kFifo = "is a named pipe (FIFO), not a regular file";
constexpr const char* kDevice = "is a character device (like /dev/zero), not a regular file";
constexpr const char* kFolder = "is a folder, not a file";

/// Every reader of one input kind, given the path it is asked to read.
struct Reader {
    const char* name;
    std::function<void(const fs::path&)> read;
};

std::vector<Reader> readers() {
    return {
        {"graph (readJsonFile)", [](const fs::path& p) { (void)readJsonFile(p, InputKind::Graph); }},
        {"config (readJsonFile)", [](const fs::path& p) { (void)readJsonFile(p); }},
        {"schedule --config (loadScheduler)", [](const fs::path& p) { (void)loadScheduler(p); }},
        {"tokenizer.json", [](const fs::path& p) { (void)text::loadTokenizer(p.string() + ".json"); }},
        {"tokenizer.model", [](const fs::path& p) { (void)text::loadTokenizer(p.string() + ".model"); }},
        {"weights (SafetensorsFile)", [](const fs::path& p) { (void)SafetensorsFile::open(p); }},
        {"weights (WeightArchive)", [](const fs::path& p) { (void)WeightArchive::open(p); }},
        {"latent (SafetensorsFile)",
         [](const fs::path& p) { (void)SafetensorsFile::open(p, InputKind::Latent); }},
    };
}

/// A path for a reader: the tokenizer readers pick their format by extension, so they get one.
fs::path placeFor(const Reader& r, const fs::path& base) {
    const std::string n = r.name;
    if (n == "tokenizer.json") return base.string() + ".json";
    if (n == "tokenizer.model") return base.string() + ".model";
    return base;
}

TEST(InputFile, FifosAreRefusedWithoutBlocking) {
    test::TempDir dir;
    for (const auto& r : readers()) {
        SCOPED_TRACE(r.name);
        const fs::path base = dir.path() / "pipe";
        const fs::path fifo = placeFor(r, base);
        test::makeFifo(fifo);
        test::expectRefusedQuickly([&] { r.read(base); }, kFifo, fifo);
        fs::remove(fifo);
    }
}

TEST(InputFile, DevicesAreRefusedNotRead) {
    for (const auto& r : readers()) {
        SCOPED_TRACE(r.name);
        const std::string n = r.name;
        if (n.starts_with("tokenizer")) continue;  // they need an extension; /dev/zero has none (below)
        test::expectRefusedQuickly([&] { r.read("/dev/zero"); }, kDevice);
    }
    test::TempDir dir;
    const fs::path link = dir.path() / "tokenizer.json";
    fs::create_symlink("/dev/zero", link);
    test::expectRefusedQuickly([&] { (void)text::loadTokenizer(link); }, kDevice);
}

TEST(InputFile, FoldersAreRefusedAsFolders) {
    test::TempDir dir;
    for (const auto& r : readers()) {
        SCOPED_TRACE(r.name);
        const std::string n = r.name;
        if (n.starts_with("tokenizer") || n == "weights (WeightArchive)") continue;  // a folder means more
        test::expectRefusedQuickly([&] { r.read(dir.path()); }, kFolder);
    }
}

TEST(InputFile, InsideAModelFolderTheRealProblemIsNamed) {
    test::TempDir dir;
    const fs::path root = dir.path() / "model";
    fs::copy(test::referenceDir() / "full_size", root, fs::copy_options::recursive);
    // model_index.json a FIFO: not "missing", and no hang.
    fs::rename(root / "model_index.json", dir.path() / "index.json");
    test::makeFifo(root / "model_index.json");
    test::expectRefusedQuickly([&] { (void)ModelFolder::open(root); }, kFifo, root / "model_index.json");
    fs::remove(root / "model_index.json");
    fs::rename(dir.path() / "index.json", root / "model_index.json");
    // A component's config a folder.
    fs::remove(root / "transformer" / "config.json");
    fs::create_directory(root / "transformer" / "config.json");
    test::expectRefusedQuickly([&] { (void)ModelFolder::open(root); }, kFolder);
    // A tokenizer folder whose tokenizer.json is a FIFO.
    const fs::path tok = dir.path() / "tokenizer";
    fs::create_directory(tok);
    test::makeFifo(tok / "tokenizer.json");
    test::expectRefusedQuickly([&] { (void)text::loadTokenizer(tok); }, kFifo, tok / "tokenizer.json");
}

TEST(InputFile, SizeLimitsAreCheckedBeforeReading) {
    test::TempDir dir;
    const fs::path big = dir.path() / "big.json";
    {
        std::ofstream f(big);
        f << "{}";
    }
    fs::resize_file(big, io::inputKindLimit(InputKind::Config) + 1);  // sparse: nothing is written
    test::expectRefusedQuickly([&] { (void)readJsonFile(big, InputKind::Graph); },
                               "graph file may have at most 16.8 MB");
    test::expectRefusedQuickly([&] { (void)readJsonFile(big, InputKind::Config); },
                               "is 67.1 MB (67108865 bytes)");
    // The same size is fine for a tokenizer file (only the limit is under test: the content is not JSON).
    EXPECT_NO_THROW((void)io::InputFile::open(big, InputKind::Tokenizer));
}

TEST(InputFile, MissingAndUnreadableFilesSaySo) {
    test::TempDir dir;
    test::expectRefusedQuickly([&] { (void)readJsonFile(dir.path() / "nope.json"); },
                               "config file '" + (dir.path() / "nope.json").string() + "' does not exist");
    const fs::path file = dir.path() / "file";
    std::ofstream(file) << "{}";
    test::expectRefusedQuickly([&] { (void)readJsonFile(file / "below.json"); },
                               "a part of the path is not a folder");
}

TEST(InputFile, ReadsAllBytesAndCanBeCancelled) {
    test::TempDir dir;
    const fs::path p = dir.path() / "data.bin";
    std::string bytes(9 << 20, 'x');  // more than two read chunks
    bytes[12345] = '\0';
    std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    EXPECT_EQ(io::readInputFile(p, InputKind::Tokenizer), bytes);
    int polls = 0;
    EXPECT_THROW((void)io::readInputFile(p, InputKind::Tokenizer, [&] { return ++polls > 1; }), Cancelled);
    EXPECT_EQ(polls, 2) << "cancel is polled between chunks";
}

}  // namespace
}  // namespace sv
