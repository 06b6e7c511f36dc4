// The Gemma tokenizer against Hugging Face (tests/data/reference/tokenizer_gemma/golden.json): every id list
// reproduced with the real tokenizer.json (fetched by .ci/fetch-gemma-tokenizer.sh into
// tests/data/tokenizer_gemma_real/, or named by $SV_GEMMA_TOKENIZER; the tests skip when it is absent), and
// the pipeline's text preparation (lowercase + strip, instruction prefix, padding, select-index).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "io/json_util.h"
#include "support/reference.h"
#include "text/hf_bpe_tokenizer.h"
#include "text/prompt_tokens.h"
#include "text/tokenizer.h"

namespace sv::text {
namespace {

namespace fs = std::filesystem;

fs::path realTokenizerPath() {
    if (const char* env = std::getenv("SV_GEMMA_TOKENIZER"); env && *env) return fs::path(env);
    return fs::path(SV_TEST_DATA_DIR) / "tokenizer_gemma_real" / "tokenizer.json";
}

const nlohmann::json& golden() {
    static const nlohmann::json doc = readJsonFile(test::goldenDir("tokenizer_gemma") / "golden.json");
    return doc;
}

std::vector<int64_t> row(const Tensor& t, int64_t b) {
    const int64_t n = t.dim(1);
    const int64_t* p = t.contiguous().data<int64_t>() + b * n;
    return std::vector<int64_t>(p, p + n);
}

std::vector<int64_t> ints(const nlohmann::json& j) {
    return j.get<std::vector<int64_t>>();
}

// These need no tokenizer: the instruction constant and Python's lower().strip().
TEST(PromptText, DefaultInstructionJoinsToTheGoldenText) {
    const auto& lines = defaultComplexHumanInstruction();
    ASSERT_EQ(lines.size(), 8u);
    std::string joined;
    for (size_t i = 0; i < lines.size(); ++i) joined += (i ? "\n" : "") + lines[i];
    EXPECT_EQ(joined, golden().at("chi_joined").get<std::string>());
}

TEST(PromptText, LowerStripMatchesPython) {
    for (const auto& c : golden().at("cases")) {
        EXPECT_EQ(lowerStrip(c.at("text").get<std::string>()), c.at("lower_strip").get<std::string>())
            << c.at("text");
    }
}

class GemmaTokenizer : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const fs::path path = realTokenizerPath();
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) return;
        const auto t0 = std::chrono::steady_clock::now();
        tokenizer_ = HfBpeTokenizer::fromFile(path);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("[ info ] loaded %s in %.2f s\n", path.string().c_str(), seconds);
    }
    static void TearDownTestSuite() { tokenizer_.reset(); }
    void SetUp() override {
        if (!tokenizer_) {
            GTEST_SKIP()
                << "the real Gemma tokenizer.json is not at " << realTokenizerPath()
                << "; run .ci/fetch-gemma-tokenizer.sh (or set SV_GEMMA_TOKENIZER) to enable these tests";
        }
    }
    static const Tokenizer& tok() { return *tokenizer_; }

  private:
    static inline std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(GemmaTokenizer, VocabularyAndSpecialIds) {
    EXPECT_EQ(tok().vocabSize(), 256000);  // gemma-2-2b-it's tokenizer.json
    EXPECT_EQ(tok().padId(), kGemmaPadId);
    EXPECT_EQ(tok().eosId(), kGemmaEosId);
    EXPECT_EQ(tok().bosId(), kGemmaBosId);
    EXPECT_EQ(tok().pieceToId("<0x0A>").has_value(), true);
}

TEST_F(GemmaTokenizer, PlainIdsOfEveryCase) {
    for (const auto& c : golden().at("cases")) {
        const std::string text = c.at("text");
        EXPECT_EQ(tok().encode(text), ints(c.at("ids"))) << text;
    }
}

TEST_F(GemmaTokenizer, Padded300OfTheLowerStrippedPrompt) {
    for (const auto& c : golden().at("cases")) {
        const std::vector<std::string> texts{lowerStrip(c.at("text").get<std::string>())};
        const TokenBatch batch = tokenizePadded(tok(), texts, 300);
        EXPECT_EQ(row(batch.ids, 0), ints(c.at("padded300_ids"))) << texts[0];
        EXPECT_EQ(row(batch.mask, 0), ints(c.at("padded300_mask"))) << texts[0];
    }
}

TEST_F(GemmaTokenizer, InstructionTokenCount) {
    EXPECT_EQ(complexHumanInstructionTokenCount(tok(), defaultComplexHumanInstruction()),
              golden().at("n_chi_tokens").get<int64_t>());
    EXPECT_EQ(complexHumanInstructionTokenCount(tok(), {}), 0);
}

TEST_F(GemmaTokenizer, InstructionPrefixedAndSelectedIdsOfEveryCase) {
    for (const auto& c : golden().at("cases")) {
        const std::vector<std::string> prompts{c.at("text").get<std::string>()};
        const PromptTokens p = tokenizePositivePrompts(tok(), prompts, defaultComplexHumanInstruction(), 300);
        SCOPED_TRACE(prompts[0]);
        EXPECT_EQ(p.chiTokenCount, golden().at("n_chi_tokens").get<int64_t>());
        ASSERT_EQ(p.length(), c.at("chi_max_length").get<int64_t>());
        EXPECT_EQ(row(p.tokens.ids, 0), ints(c.at("chi_ids")));
        EXPECT_EQ(row(p.tokens.mask, 0), ints(c.at("chi_mask")));
        ASSERT_EQ(p.selectIndex.size(), 300u);
        EXPECT_EQ(row(selectTokens(p.tokens.ids, p.selectIndex), 0), ints(c.at("chi_selected_ids")));
        EXPECT_EQ(row(selectTokens(p.tokens.mask, p.selectIndex), 0), ints(c.at("chi_selected_mask")));
    }
}

TEST_F(GemmaTokenizer, BatchedPromptsEqualOneByOne) {
    std::vector<std::string> prompts;
    for (const auto& c : golden().at("cases")) prompts.push_back(c.at("text"));
    const PromptTokens p = tokenizePositivePrompts(tok(), prompts, defaultComplexHumanInstruction(), 300);
    ASSERT_EQ(p.tokens.ids.dim(0), int64_t(prompts.size()));
    for (size_t b = 0; b < prompts.size(); ++b) {
        EXPECT_EQ(row(p.tokens.ids, int64_t(b)), ints(golden().at("cases")[b].at("chi_ids"))) << prompts[b];
    }
}

TEST_F(GemmaTokenizer, NegativePromptWithoutInstruction) {
    const std::vector<std::string> prompts{golden().at("negative_prompt").get<std::string>()};
    const PromptTokens p = tokenizeNegativePrompts(tok(), prompts, 300);
    EXPECT_EQ(p.chiTokenCount, 0);
    EXPECT_EQ(row(p.tokens.ids, 0), ints(golden().at("negative_padded300_ids")));
    EXPECT_EQ(row(p.tokens.mask, 0), ints(golden().at("negative_padded300_mask")));
    ASSERT_EQ(p.selectIndex.size(), 300u);
    for (int64_t i = 0; i < 300; ++i) ASSERT_EQ(p.selectIndex[size_t(i)], i);
}

TEST_F(GemmaTokenizer, DecodeRoundTripsPlainText) {
    for (const auto& c : golden().at("cases")) {
        const std::string text = c.at("text");
        const std::vector<int64_t> ids = tok().encodeWithoutSpecialTokens(text);
        EXPECT_EQ(tok().decode(ids), text);
    }
}

TEST_F(GemmaTokenizer, RejectsMalformedUtf8) {
    EXPECT_THROW(tok().encode(std::string("bad \xff byte")), Error);
}

}  // namespace
}  // namespace sv::text
