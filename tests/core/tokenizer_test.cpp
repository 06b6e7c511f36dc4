// Tokenizer loading and the sentencepiece path on the tiny trained model (tests/data/tokenizer_tiny), and the
// prompt preparation (BOS, right padding, truncation, instruction prefix, select-index) on top of it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "support/reference.h"
#include "text/prompt_tokens.h"
#include "text/sentencepiece_tokenizer.h"
#include "text/tokenizer.h"

namespace sv::text {
namespace {

namespace fs = std::filesystem;

fs::path tinyModel() {
    return fs::path(SV_TEST_DATA_DIR) / "tokenizer_tiny" / "tokenizer.model";
}

std::vector<int64_t> row(const Tensor& t, int64_t b) {
    const int64_t n = t.dim(1);
    const int64_t* p = t.contiguous().data<int64_t>() + b * n;
    return std::vector<int64_t>(p, p + n);
}

TEST(TokenizerLoading, ErrorsNameTheFolderOrFile) {
    test::TempDir dir;
    EXPECT_NE(test::errorMessage([&] { loadTokenizer(dir.path() / "nope"); }).find("nope"),
              std::string::npos);
    const std::string empty = test::errorMessage([&] { loadTokenizer(dir.path()); });
    EXPECT_NE(empty.find(dir.path().string()), std::string::npos) << empty;
    EXPECT_NE(empty.find("tokenizer.json"), std::string::npos) << empty;
    const std::string noJson =
        test::errorMessage([&] { loadTokenizer(dir.path(), TokenizerFormat::HuggingFace); });
    EXPECT_NE(noJson.find("tokenizer.json"), std::string::npos) << noJson;
    std::ofstream(dir.path() / "vocab.txt") << "x";
    EXPECT_THROW(loadTokenizer(dir.path() / "vocab.txt"), Error);
}

TEST(TokenizerLoading, SentencePieceAbsentIsAClearError) {
    if (sentencePieceAvailable()) GTEST_SKIP() << "this build has sentencepiece";
    const std::string msg = test::errorMessage([] { SentencePieceTokenizer::open(tinyModel()); });
    EXPECT_NE(msg.find("sentencepiece"), std::string::npos) << msg;
    EXPECT_NE(msg.find("tokenizer.model"), std::string::npos) << msg;
}

class TinySentencePiece : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!sentencePieceAvailable()) GTEST_SKIP() << "built without sentencepiece";
        tokenizer_ = loadTokenizer(tinyModel().parent_path());
    }
    const Tokenizer& tok() const { return *tokenizer_; }
    std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(TinySentencePiece, SpecialIdsAndVocabulary) {
    EXPECT_NE(tok().describe().find("sentencepiece"), std::string::npos);
    EXPECT_EQ(tok().vocabSize(), 512);
    EXPECT_EQ(tok().padId(), kGemmaPadId);
    EXPECT_EQ(tok().eosId(), kGemmaEosId);
    EXPECT_EQ(tok().bosId(), kGemmaBosId);
    EXPECT_EQ(tok().pieceToId("<bos>"), kGemmaBosId);
    EXPECT_EQ(tok().pieceToId("<0x41>").has_value(), true);
    EXPECT_FALSE(tok().pieceToId("no such piece").has_value());
    EXPECT_THROW(tok().idToPiece(512), Error);
}

TEST_F(TinySentencePiece, EncodePrependsBosOnlyAndRoundTrips) {
    const std::string text = "A cat sleeping on a warm windowsill, soft light. motion score: 30.";
    const std::vector<int64_t> body = tok().encodeWithoutSpecialTokens(text);
    const std::vector<int64_t> ids = tok().encode(text);
    ASSERT_EQ(ids.size(), body.size() + 1);
    EXPECT_EQ(ids.front(), tok().bosId());
    EXPECT_EQ(std::vector<int64_t>(ids.begin() + 1, ids.end()), body);
    EXPECT_NE(ids.back(), tok().eosId());
    EXPECT_EQ(tok().decode(body), text);
    // The pieces spell the text with "▁" for spaces (no dummy prefix: the first piece has none).
    std::string spelled;
    for (int64_t id : body) spelled += tok().idToPiece(id);
    std::string expected;
    for (char c : text) expected += c == ' ' ? std::string("\xe2\x96\x81") : std::string(1, c);
    EXPECT_EQ(spelled, expected);
}

TEST_F(TinySentencePiece, UnseenCharactersUseByteFallback) {
    const std::vector<int64_t> ids =
        tok().encodeWithoutSpecialTokens("\xf0\x9f\x90\xb1");  // U+1F431, not trained
    ASSERT_EQ(ids.size(), 4u);
    EXPECT_EQ(tok().idToPiece(ids[0]), "<0xF0>");
    EXPECT_EQ(tok().idToPiece(ids[3]), "<0xB1>");
    EXPECT_EQ(tok().decode(ids), "\xf0\x9f\x90\xb1");
}

TEST_F(TinySentencePiece, LiteralSpecialTokensBecomeTheirIds) {
    const std::vector<int64_t> ids = tok().encodeWithoutSpecialTokens("<bos>a<eos> <pad>");
    ASSERT_GE(ids.size(), 4u);
    EXPECT_EQ(ids.front(), tok().bosId());
    EXPECT_EQ(ids.back(), tok().padId());
    EXPECT_NE(std::find(ids.begin(), ids.end(), tok().eosId()), ids.end());
    EXPECT_EQ(tok().decode(ids), "<bos>a<eos> <pad>");
}

TEST_F(TinySentencePiece, PaddingAndTruncation) {
    const std::vector<std::string> texts{"a cat",
                                         "a young woman dancing in a field of sunflowers, golden hour."};
    const std::vector<int64_t> shortIds = tok().encode(texts[0]);
    const std::vector<int64_t> longIds = tok().encode(texts[1]);
    const int64_t length = int64_t(shortIds.size()) + 3;
    ASSERT_GT(int64_t(longIds.size()), length) << "the long text must need truncation";
    const TokenBatch batch = tokenizePadded(tok(), texts, length);
    ASSERT_EQ(batch.ids.shape(), (Shape{2, length}));
    ASSERT_EQ(batch.ids.dtype(), DType::I64);
    ASSERT_EQ(batch.mask.dtype(), DType::I64);
    std::vector<int64_t> padded = shortIds, mask(shortIds.size(), 1);
    padded.resize(size_t(length), tok().padId());
    mask.resize(size_t(length), 0);
    EXPECT_EQ(row(batch.ids, 0), padded);
    EXPECT_EQ(row(batch.mask, 0), mask);
    EXPECT_EQ(row(batch.ids, 1), std::vector<int64_t>(longIds.begin(), longIds.begin() + length));
    EXPECT_EQ(row(batch.mask, 1), std::vector<int64_t>(size_t(length), 1));
    EXPECT_THROW(tokenizePadded(tok(), texts, 0), Error);
}

TEST_F(TinySentencePiece, InstructionPrefixAndSelectIndex) {
    const std::vector<std::string> instruction{"Describe the video:", "User Prompt: "};
    const std::vector<std::string> prompts{"  A Cat Sleeping  ",
                                           "TWO CHILDREN RUNNING ACROSS A SNOWY FOREST"};
    const int64_t msl = 6;
    const PromptTokens p = tokenizePositivePrompts(tok(), prompts, instruction, msl);
    const int64_t nChi = int64_t(tok().encode("Describe the video:\nUser Prompt: ").size());
    EXPECT_EQ(p.chiTokenCount, nChi);
    EXPECT_EQ(complexHumanInstructionTokenCount(tok(), instruction), nChi);
    ASSERT_EQ(p.length(), nChi + msl - 2);
    const int64_t L = p.length();
    std::vector<int64_t> expectedIndex{0};
    for (int64_t i = L - msl + 1; i < L; ++i) expectedIndex.push_back(i);
    EXPECT_EQ(p.selectIndex, expectedIndex);
    for (int64_t b = 0; b < 2; ++b) {
        // The encoder input is the instruction + lowercased, stripped prompt, padded or cut to L.
        std::vector<int64_t> full =
            tok().encode("Describe the video:\nUser Prompt: " + lowerStrip(prompts[size_t(b)]));
        std::vector<int64_t> mask(std::min<size_t>(full.size(), size_t(L)), 1);
        full.resize(size_t(L), tok().padId());
        mask.resize(size_t(L), 0);
        EXPECT_EQ(row(p.tokens.ids, b), full);
        EXPECT_EQ(row(p.tokens.mask, b), mask);
        // The selection keeps position 0 and the last msl - 1 positions, for ids and mask alike.
        std::vector<int64_t> selIds{full[0]}, selMask{mask[0]};
        for (int64_t i = L - msl + 1; i < L; ++i)
            selIds.push_back(full[size_t(i)]), selMask.push_back(mask[size_t(i)]);
        EXPECT_EQ(row(selectTokens(p.tokens.ids, p.selectIndex), b), selIds);
        EXPECT_EQ(row(selectTokens(p.tokens.mask, p.selectIndex), b), selMask);
    }
}

TEST_F(TinySentencePiece, NegativePromptHasNoInstructionAndIdentitySelect) {
    const std::vector<std::string> prompts{"Blurry, Low Quality"};
    const PromptTokens p = tokenizeNegativePrompts(tok(), prompts, 10);
    EXPECT_EQ(p.chiTokenCount, 0);
    ASSERT_EQ(p.length(), 10);
    std::vector<int64_t> expected = tok().encode("blurry, low quality");
    expected.resize(10, tok().padId());
    EXPECT_EQ(row(p.tokens.ids, 0), expected);
    for (int64_t i = 0; i < 10; ++i) EXPECT_EQ(p.selectIndex[size_t(i)], i);
    // An empty instruction list disables the prefix on the positive side too.
    const PromptTokens q = tokenizePositivePrompts(tok(), prompts, {}, 10);
    EXPECT_EQ(row(q.tokens.ids, 0), expected);
}

TEST_F(TinySentencePiece, WriteDemoTokenizerMakesALoadableFolder) {
    test::TempDir dir;
    const fs::path folder = dir.path() / "tokenizer";
    writeDemoTokenizer(folder, tinyModel());
    EXPECT_TRUE(fs::exists(folder / "tokenizer_config.json"));
    EXPECT_TRUE(fs::exists(folder / "special_tokens_map.json"));
    auto loaded = loadTokenizer(folder);
    EXPECT_EQ(loaded->encode("a cat"), tok().encode("a cat"));
    EXPECT_THROW(writeDemoTokenizer(folder, dir.path() / "missing.model"), Error);
}

TEST(SelectTokens, GathersRowsOfAnyTrailingShape) {
    std::vector<float> values(2 * 4 * 3);
    for (size_t i = 0; i < values.size(); ++i) values[i] = float(i);
    const Tensor x = Tensor::fromFloats(values, {2, 4, 3});
    const std::vector<int64_t> index{0, 2, 3};
    const Tensor y = selectTokens(x, index);
    ASSERT_EQ(y.shape(), (Shape{2, 3, 3}));
    for (int64_t b = 0; b < 2; ++b) {
        for (size_t j = 0; j < index.size(); ++j) {
            for (int64_t c = 0; c < 3; ++c) {
                EXPECT_EQ(y.item((b * 3 + int64_t(j)) * 3 + c), x.item((b * 4 + index[j]) * 3 + c));
            }
        }
    }
    const std::vector<int64_t> bad{4};
    EXPECT_THROW(selectTokens(x, bad), Error);
}

}  // namespace
}  // namespace sv::text
