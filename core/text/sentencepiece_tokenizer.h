// A sentencepiece `tokenizer.model` read with libsentencepiece (builds with SV_HAVE_SENTENCEPIECE; elsewhere
// open() throws sv::Error saying so). Like Hugging Face's GemmaTokenizer, control pieces written literally in
// the text ("<bos>", "<eos>", "<pad>") and "<unk>" are split out first and become their ids; sentencepiece
// encodes the text between them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "text/tokenizer.h"

namespace sv::text {

class SentencePieceTokenizer final : public Tokenizer {
  public:
    /// Loads a serialized sentencepiece model; throws sv::Error naming the file.
    static std::unique_ptr<SentencePieceTokenizer> open(const std::filesystem::path& path);
    /// Loads the bytes of a tokenizer.model (a serialized ModelProto); `source` names it in errors.
    static std::unique_ptr<SentencePieceTokenizer> fromSerializedProto(std::string_view bytes,
                                                                       std::string source);

    ~SentencePieceTokenizer() override;

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
    explicit SentencePieceTokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sv::text
