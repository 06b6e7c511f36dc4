#include "text/tokenizer.h"

#include <fstream>

#include "base/error.h"
#include "text/hf_bpe_tokenizer.h"
#include "text/sentencepiece_tokenizer.h"

namespace fs = std::filesystem;

namespace sv::text {

std::vector<int64_t> Tokenizer::encode(std::string_view text) const {
    std::vector<int64_t> ids{bosId()};
    const std::vector<int64_t> body = encodeWithoutSpecialTokens(text);
    ids.insert(ids.end(), body.begin(), body.end());
    return ids;
}

bool sentencePieceAvailable() {
#ifdef SV_HAVE_SENTENCEPIECE
    return true;
#else
    return false;
#endif
}

std::unique_ptr<Tokenizer> loadTokenizer(const fs::path& dirOrFile, TokenizerFormat format) {
    std::error_code ec;
    SV_CHECK(fs::exists(dirOrFile, ec), dirOrFile.string(), ": tokenizer folder not found");
    if (!fs::is_directory(dirOrFile, ec)) {
        // A file: the input checks of the readers refuse FIFOs and devices with a message saying so.
        const std::string ext = dirOrFile.extension().string();
        if (ext == ".json") return HfBpeTokenizer::fromFile(dirOrFile);
        if (ext == ".model") return SentencePieceTokenizer::open(dirOrFile);
        fail(dirOrFile.string(), ": not a tokenizer file (expected tokenizer.json or tokenizer.model)");
    }
    const fs::path spModel = dirOrFile / "tokenizer.model";
    const fs::path hfJson = dirOrFile / "tokenizer.json";
    // Present (of any type): a FIFO or folder under these names is then refused by the reader, by name.
    const bool haveModel = fs::exists(spModel, ec);
    const bool haveJson = fs::exists(hfJson, ec);
    switch (format) {
        case TokenizerFormat::SentencePiece:
            SV_CHECK(haveModel, spModel.string(), ": file not found");
            return SentencePieceTokenizer::open(spModel);
        case TokenizerFormat::HuggingFace:
            SV_CHECK(haveJson, hfJson.string(), ": file not found");
            return HfBpeTokenizer::fromFile(hfJson);
        case TokenizerFormat::Auto:
            break;
    }
    // tokenizer.json first: it is what diffusers' GemmaTokenizerFast reads, and it is validated id for id
    // against the Hugging Face golden ids; tokenizer.model (sentencepiece) serves folders that only have it.
    if (haveJson) return HfBpeTokenizer::fromFile(hfJson);
    if (haveModel && sentencePieceAvailable()) return SentencePieceTokenizer::open(spModel);
    if (haveModel) {
        fail(dirOrFile.string(),
             ": only tokenizer.model is present and this build has no sentencepiece support; ",
             "add the model's tokenizer.json");
    }
    fail(dirOrFile.string(), ": no tokenizer.json or tokenizer.model in the tokenizer folder");
}

void writeDemoTokenizer(const fs::path& tokenizerDir, const fs::path& sentencePieceModel) {
    std::error_code ec;
    SV_CHECK(fs::is_regular_file(sentencePieceModel, ec) && fs::file_size(sentencePieceModel, ec) > 0,
             sentencePieceModel.string(), ": demo tokenizer model not found");
    fs::create_directories(tokenizerDir, ec);
    SV_CHECK(fs::is_directory(tokenizerDir, ec), tokenizerDir.string(),
             ": cannot create the tokenizer folder");
    const fs::path modelOut = tokenizerDir / "tokenizer.model";
    fs::copy_file(sentencePieceModel, modelOut, fs::copy_options::overwrite_existing, ec);
    SV_CHECK(!ec, modelOut.string(), ": cannot write (", ec.message(), ")");

    auto writeText = [](const fs::path& path, const std::string& text) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        SV_CHECK(out, path.string(), ": cannot write");
    };
    writeText(tokenizerDir / "tokenizer_config.json",
              "{\n"
              "  \"tokenizer_class\": \"GemmaTokenizer\",\n"
              "  \"add_bos_token\": true,\n"
              "  \"add_eos_token\": false,\n"
              "  \"bos_token\": \"<bos>\",\n"
              "  \"eos_token\": \"<eos>\",\n"
              "  \"pad_token\": \"<pad>\",\n"
              "  \"unk_token\": \"<unk>\",\n"
              "  \"padding_side\": \"right\",\n"
              "  \"model_max_length\": 1000000000000000019884624838656\n"
              "}\n");
    writeText(tokenizerDir / "special_tokens_map.json",
              "{\n"
              "  \"bos_token\": \"<bos>\",\n"
              "  \"eos_token\": \"<eos>\",\n"
              "  \"pad_token\": \"<pad>\",\n"
              "  \"unk_token\": \"<unk>\"\n"
              "}\n");
}

}  // namespace sv::text
