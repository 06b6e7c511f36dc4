// HfBpeTokenizer on small hand-written tokenizer.json documents: merge priority, byte fallback, <unk> fusing,
// added tokens (raw and normalized; lstrip, rstrip, single_word), normalizers, the Split pre-tokenizer, both
// merge spellings, decoding, and errors for files it cannot read.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "support/reference.h"
#include "text/hf_bpe_tokenizer.h"
#include "text/tokenizer.h"

namespace sv::text {
namespace {

using nlohmann::json;
using Ids = std::vector<int64_t>;

const std::string kSpace = "\xe2\x96\x81";  // ▁

// Pieces: specials 0-3, then single characters, then merge results; ids are their position in `pieces`.
json baseDoc(const std::vector<std::string>& pieces, const json& merges) {
    json vocab = json::object();
    for (size_t i = 0; i < pieces.size(); ++i) vocab[pieces[i]] = i;
    json doc;
    doc["version"] = "1.0";
    doc["added_tokens"] = json::array();
    for (int i = 0; i < 4; ++i) {
        doc["added_tokens"].push_back({{"id", i},
                                       {"content", pieces[size_t(i)]},
                                       {"single_word", false},
                                       {"lstrip", false},
                                       {"rstrip", false},
                                       {"normalized", false},
                                       {"special", true}});
    }
    doc["normalizer"] = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpace}};
    doc["pre_tokenizer"] = nullptr;
    doc["decoder"] = {
        {"type", "Sequence"},
        {"decoders", json::array({{{"type", "Replace"}, {"pattern", {{"String", kSpace}}}, {"content", " "}},
                                  {{"type", "ByteFallback"}},
                                  {{"type", "Fuse"}}})}};
    doc["model"] = {{"type", "BPE"},         {"dropout", nullptr}, {"unk_token", "<unk>"}, {"fuse_unk", true},
                    {"byte_fallback", true}, {"vocab", vocab},     {"merges", merges}};
    return doc;
}

const std::vector<std::string> kPieces = {"<pad>", "<eos>",      "<bos>",  "<unk>", "a",
                                          "b",     "c",          kSpace,   "ab",    "bc",
                                          "abc",   kSpace + "a", "<0xC3>", "<0xA9>"};
int64_t idOf(const std::string& piece) {
    return int64_t(std::find(kPieces.begin(), kPieces.end(), piece) - kPieces.begin());
}

std::unique_ptr<HfBpeTokenizer> make(const json& doc) {
    return HfBpeTokenizer::fromJsonText(doc.dump(), "test.json");
}

TEST(HfBpe, LowestRankMergeWinsFirst) {
    // "b c" ranked before "a b": abc -> a + bc (no "a bc" merge).
    auto t1 = make(baseDoc(kPieces, json::array({"b c", "a b"})));
    EXPECT_EQ(t1->encodeWithoutSpecialTokens("abc"), (Ids{idOf("a"), idOf("bc")}));
    // "a b" first: ab + c, and "ab c" then completes "abc".
    auto t2 = make(baseDoc(kPieces, json::array({"a b", "b c", "ab c"})));
    EXPECT_EQ(t2->encodeWithoutSpecialTokens("abc"), (Ids{idOf("abc")}));
    // Equal candidates: the leftmost pair merges first ("ab" in "abab" twice, left to right).
    EXPECT_EQ(t2->encodeWithoutSpecialTokens("abab"), (Ids{idOf("ab"), idOf("ab")}));
}

TEST(HfBpe, TupleAndLegacyMergesAreEquivalent) {
    auto legacy = make(baseDoc(kPieces, json::array({"#version: 0.2", "b c", "a b"})));
    auto tuple = make(baseDoc(kPieces, json::array({json::array({"b", "c"}), json::array({"a", "b"})})));
    for (const std::string text : {"abc", "cab", "a bc ab", "bbcc"}) {
        EXPECT_EQ(legacy->encodeWithoutSpecialTokens(text), tuple->encodeWithoutSpecialTokens(text)) << text;
    }
}

TEST(HfBpe, NormalizerReplacesSpacesBeforeMerging) {
    auto t = make(baseDoc(kPieces, json::array({kSpace + " a"})));
    EXPECT_EQ(t->encodeWithoutSpecialTokens(" a b"), (Ids{idOf(kSpace + "a"), idOf(kSpace), idOf("b")}));
    EXPECT_EQ(t->decode(t->encodeWithoutSpecialTokens(" a b")), " a b");
}

TEST(HfBpe, ByteFallbackThenFusedUnk) {
    auto t = make(baseDoc(kPieces, json::array()));
    // é = C3 A9: both byte pieces exist.
    EXPECT_EQ(t->encodeWithoutSpecialTokens("a\xc3\xa9"), (Ids{idOf("a"), idOf("<0xC3>"), idOf("<0xA9>")}));
    EXPECT_EQ(t->decode(t->encodeWithoutSpecialTokens("a\xc3\xa9")), "a\xc3\xa9");
    // "zz" has no piece and no byte pieces: one fused <unk>.
    EXPECT_EQ(t->encodeWithoutSpecialTokens("azzb"), (Ids{idOf("a"), idOf("<unk>"), idOf("b")}));
    json doc = baseDoc(kPieces, json::array());
    doc["model"]["fuse_unk"] = false;
    EXPECT_EQ(make(doc)->encodeWithoutSpecialTokens("azzb"),
              (Ids{idOf("a"), idOf("<unk>"), idOf("<unk>"), idOf("b")}));
}

TEST(HfBpe, SpecialTokensInTextAndBos) {
    auto t = make(baseDoc(kPieces, json::array({"a b"})));
    EXPECT_EQ(t->bosId(), 2);
    EXPECT_EQ(t->eosId(), 1);
    EXPECT_EQ(t->padId(), 0);
    EXPECT_EQ(t->encode("ab<eos>a<bos>"), (Ids{2, idOf("ab"), 1, idOf("a"), 2}));
    // Not normalized: "<eos>" is matched on the raw text, so the space before it stays a separate piece.
    EXPECT_EQ(t->encodeWithoutSpecialTokens("a <eos>"), (Ids{idOf("a"), idOf(kSpace), 1}));
}

TEST(HfBpe, AddedTokenStripAndSingleWordOptions) {
    std::vector<std::string> pieces = kPieces;
    pieces.push_back("<x>");
    const int64_t x = int64_t(pieces.size()) - 1;
    json doc = baseDoc(pieces, json::array());
    doc["added_tokens"].push_back({{"id", x},
                                   {"content", "<x>"},
                                   {"single_word", false},
                                   {"lstrip", true},
                                   {"rstrip", true},
                                   {"normalized", false},
                                   {"special", false}});
    auto t = make(doc);
    EXPECT_EQ(t->encodeWithoutSpecialTokens("a  <x>  b"), (Ids{idOf("a"), x, idOf("b")}));
    doc["added_tokens"].back()["lstrip"] = false;
    doc["added_tokens"].back()["rstrip"] = false;
    doc["added_tokens"].back()["single_word"] = true;
    auto s = make(doc);
    EXPECT_EQ(s->encodeWithoutSpecialTokens("a<x>"),
              (Ids{idOf("a"), idOf("<unk>")}));  // inside a word: not matched
    EXPECT_EQ(s->encodeWithoutSpecialTokens("<x>"), (Ids{x}));
}

TEST(HfBpe, NormalizedAddedTokenMatchesAfterNormalization) {
    std::vector<std::string> pieces = kPieces;
    pieces.push_back(kSpace + "c");
    const int64_t spaceC = int64_t(pieces.size()) - 1;
    json doc = baseDoc(pieces, json::array());
    doc["added_tokens"].push_back({{"id", spaceC},
                                   {"content", " c"},
                                   {"single_word", false},
                                   {"lstrip", false},
                                   {"rstrip", false},
                                   {"normalized", true},
                                   {"special", false}});
    EXPECT_EQ(make(doc)->encodeWithoutSpecialTokens("a c"), (Ids{idOf("a"), spaceC}));
}

TEST(HfBpe, PrependNormalizerAndSplitPreTokenizer) {
    json doc = baseDoc(kPieces, json::array({"a b", kSpace + " a"}));
    doc["normalizer"] = {
        {"type", "Sequence"},
        {"normalizers",
         json::array({{{"type", "Prepend"}, {"prepend", kSpace}},
                      {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpace}}})}};
    EXPECT_EQ(make(doc)->encodeWithoutSpecialTokens("ab"), (Ids{idOf(kSpace), idOf("ab")}));
    // Split on "b", isolated: "▁ab" becomes "▁a" + "b", so "a b" can no longer merge and "▁ a" does.
    doc["pre_tokenizer"] = {
        {"type", "Split"}, {"pattern", {{"String", "b"}}}, {"behavior", "Isolated"}, {"invert", false}};
    EXPECT_EQ(make(doc)->encodeWithoutSpecialTokens("ab"), (Ids{idOf(kSpace + "a"), idOf("b")}));
}

TEST(HfBpe, VocabularyQueries) {
    auto t = make(baseDoc(kPieces, json::array()));
    EXPECT_EQ(t->vocabSize(), int64_t(kPieces.size()));
    EXPECT_EQ(t->pieceToId("bc"), idOf("bc"));
    EXPECT_FALSE(t->pieceToId("zz").has_value());
    EXPECT_EQ(t->idToPiece(idOf("abc")), "abc");
    EXPECT_THROW(t->idToPiece(999), Error);
    EXPECT_THROW(t->encode("bad \xc3"), Error);
}

TEST(HfBpe, UnreadableFilesAreErrorsNamingTheSource) {
    auto expectError = [](const std::string& text, const std::string& fragment) {
        try {
            HfBpeTokenizer::fromJsonText(text, "bad.json");
            ADD_FAILURE() << "no error for " << fragment;
        } catch (const Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("bad.json"), std::string::npos) << msg;
            EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
        }
    };
    expectError("{not json", "JSON");
    expectError("{\"version\": \"1.0\"}", "model");
    json unigram = baseDoc(kPieces, json::array());
    unigram["model"]["type"] = "Unigram";
    expectError(unigram.dump(), "Unigram");
    expectError(baseDoc(kPieces, json::array({"a zz"})).dump(), "zz");
    expectError(baseDoc(kPieces, json::array({"a c"})).dump(), "ac");
    expectError(baseDoc(kPieces, json::array({"a b c"})).dump(), "a b c");
    json regex = baseDoc(kPieces, json::array());
    regex["normalizer"] = {{"type", "Replace"}, {"pattern", {{"Regex", " +"}}}, {"content", kSpace}};
    expectError(regex.dump(), "Regex");
    json nfkc = baseDoc(kPieces, json::array());
    nfkc["normalizer"] = {{"type", "NFKC"}};
    expectError(nfkc.dump(), "NFKC");
    json noBos = baseDoc(kPieces, json::array());
    noBos["model"]["vocab"].erase("<bos>");
    noBos["added_tokens"].erase(2);
    expectError(noBos.dump(), "<bos>");
    EXPECT_THROW(HfBpeTokenizer::fromFile("/nonexistent/tokenizer.json"), Error);
}

TEST(HfBpe, LoadTokenizerPicksTheJsonInAFolder) {
    test::TempDir dir;
    {
        std::ofstream out(dir.path() / "tokenizer.json");
        out << baseDoc(kPieces, json::array({"a b"})).dump();
    }
    auto t = loadTokenizer(dir.path());
    EXPECT_NE(t->describe().find("tokenizer.json"), std::string::npos);
    EXPECT_EQ(t->encode("ab"), (Ids{2, idOf("ab")}));
    auto direct = loadTokenizer(dir.path() / "tokenizer.json");
    EXPECT_EQ(direct->encode("ab"), (Ids{2, idOf("ab")}));
}

}  // namespace
}  // namespace sv::text
