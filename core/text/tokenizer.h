// Tokenizers for the Gemma text encoder. A diffusers `tokenizer/` folder holds `tokenizer.model`
// (sentencepiece) and/or `tokenizer.json` (Hugging Face tokenizers, BPE with byte fallback); both give
// Gemma's ids. encode() follows GemmaTokenizerFast with add_special_tokens=True: one BOS in front, no EOS.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sv::text {

/// Gemma's special ids (the values the real tokenizer files assign; implementations read them from their
/// file).
inline constexpr int64_t kGemmaPadId = 0;
inline constexpr int64_t kGemmaEosId = 1;
inline constexpr int64_t kGemmaBosId = 2;

class Tokenizer {
  public:
    virtual ~Tokenizer() = default;

    /// Token ids of UTF-8 `text` with BOS prepended and no EOS. Throws sv::Error on malformed UTF-8.
    std::vector<int64_t> encode(std::string_view text) const;
    /// Token ids of `text` without any special token added. Special tokens written literally in the text
    /// ("<bos>", "<eos>", ...) still become their ids, as Hugging Face tokenizers do.
    virtual std::vector<int64_t> encodeWithoutSpecialTokens(std::string_view text) const = 0;
    /// The text of a list of ids (pieces joined, "▁" as space, byte pieces reassembled); special tokens kept.
    virtual std::string decode(std::span<const int64_t> ids) const = 0;

    /// Number of ids (the largest id + 1).
    virtual int64_t vocabSize() const = 0;
    virtual int64_t padId() const = 0;
    virtual int64_t eosId() const = 0;
    virtual int64_t bosId() const = 0;
    /// The id of a piece ("▁cat", "<bos>", "<0x0A>"), if the vocabulary has it.
    virtual std::optional<int64_t> pieceToId(std::string_view piece) const = 0;
    /// The piece of an id; throws sv::Error when out of range.
    virtual std::string idToPiece(int64_t id) const = 0;
    /// What this tokenizer was read from ("…/tokenizer.json (Hugging Face BPE)").
    virtual std::string describe() const = 0;
};

enum class TokenizerFormat {
    Auto,  // tokenizer.json when present (what diffusers reads), else tokenizer.model through sentencepiece
    SentencePiece,  // tokenizer.model
    HuggingFace,    // tokenizer.json
};

/// Whether this build can read sentencepiece `tokenizer.model` files (SV_HAVE_SENTENCEPIECE).
bool sentencePieceAvailable();

/// Loads a tokenizer from a diffusers `tokenizer/` folder, or directly from a `tokenizer.model` /
/// `tokenizer.json` file. Throws sv::Error naming the folder or file when nothing usable is there.
std::unique_ptr<Tokenizer> loadTokenizer(const std::filesystem::path& dirOrFile,
                                         TokenizerFormat format = TokenizerFormat::Auto);

/// Writes the tokenizer files of a diffusers `tokenizer/` folder for the demo model: `sentencePieceModel`
/// (the project's tiny trained model, resources/demo/tokenizer.model) copied to
/// <tokenizerDir>/tokenizer.model, plus tokenizer_config.json and special_tokens_map.json naming Gemma's
/// special tokens. Creates the folder. Throws sv::Error naming the file when the model is missing or a file
/// cannot be written.
void writeDemoTokenizer(const std::filesystem::path& tokenizerDir,
                        const std::filesystem::path& sentencePieceModel);

}  // namespace sv::text
