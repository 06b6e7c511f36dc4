// A Hugging Face `tokenizer.json` with a BPE model, read with nlohmann_json and applied as the Rust
// `tokenizers` library does: added/special tokens split out first (leftmost-longest; single_word, lstrip,
// rstrip honoured; non-normalized ones matched on the raw text, normalized ones after normalization), then
// the normalizer (Replace with a string pattern, Prepend, Sequence), the pre-tokenizer (none, or Split on a
// string), and BPE per word: characters (or byte-fallback <0xNN> pieces, or a fused <unk>) merged by merge
// rank, lowest rank first and leftmost among equal ranks. Dropout is not supported (inference). Enough for
// Gemma's tokenizer.json.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "text/tokenizer.h"

namespace sv::text {

class HfBpeTokenizer final : public Tokenizer {
  public:
    /// Reads a tokenizer.json; throws sv::Error naming the file on anything malformed or unsupported.
    static std::unique_ptr<HfBpeTokenizer> fromFile(const std::filesystem::path& path);
    /// Parses tokenizer.json text; `source` names it in error messages.
    static std::unique_ptr<HfBpeTokenizer> fromJsonText(std::string_view text, std::string source);

    ~HfBpeTokenizer() override;

    std::vector<int64_t> encodeWithoutSpecialTokens(std::string_view text) const override;
    std::string decode(std::span<const int64_t> ids) const override;
    int64_t vocabSize() const override;
    int64_t padId() const override;
    int64_t eosId() const override;
    int64_t bosId() const override;
    std::optional<int64_t> pieceToId(std::string_view piece) const override;
    std::string idToPiece(int64_t id) const override;
    std::string describe() const override;

    struct Impl;

  private:
    explicit HfBpeTokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sv::text
