#include "text/sentencepiece_tokenizer.h"

#include "base/error.h"
#include "io/input_file.h"
#include "text/token_matcher.h"
#include "text/unicode.h"

#ifdef SV_HAVE_SENTENCEPIECE
#include <sentencepiece_processor.h>
#endif

namespace sv::text {

#ifdef SV_HAVE_SENTENCEPIECE

struct SentencePieceTokenizer::Impl {
    std::string source;
    sentencepiece::SentencePieceProcessor sp;
    TokenMatcher specials;  // control pieces and <unk>, matched literally in the text
};

SentencePieceTokenizer::SentencePieceTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::open(const std::filesystem::path& path) {
    // Read through the input checks (sentencepiece's own Load() would block on a FIFO), parsed from memory.
    return fromSerializedProto(io::readInputFile(path, io::InputKind::Tokenizer), path.string());
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::fromSerializedProto(std::string_view bytes,
                                                                                    std::string source) {
    auto impl = std::make_unique<Impl>();
    impl->source = std::move(source);
    const auto status = impl->sp.LoadFromSerializedProto(bytes);
    SV_CHECK(status.ok(), impl->source, ": cannot load the sentencepiece model (", status.ToString(), ")");
    SV_CHECK(impl->sp.bos_id() >= 0, impl->source, ": the sentencepiece model has no BOS piece");
    SV_CHECK(impl->sp.eos_id() >= 0, impl->source, ": the sentencepiece model has no EOS piece");
    SV_CHECK(impl->sp.pad_id() >= 0, impl->source, ": the sentencepiece model has no PAD piece");
    for (int id = 0; id < impl->sp.GetPieceSize(); ++id) {
        if (impl->sp.IsControl(id) || impl->sp.IsUnknown(id))
            impl->specials.add(impl->sp.IdToPiece(id), size_t(id));
    }
    impl->specials.build();
    return std::unique_ptr<SentencePieceTokenizer>(new SentencePieceTokenizer(std::move(impl)));
}

std::vector<int64_t> SentencePieceTokenizer::encodeWithoutSpecialTokens(std::string_view text) const {
    SV_CHECK(isValidUtf8(text), "prompt: not valid UTF-8");
    std::vector<int64_t> out;
    std::vector<int> ids;
    auto encodeChunk = [&](std::string_view chunk) {
        if (chunk.empty()) return;
        ids.clear();
        const auto status = impl_->sp.Encode(chunk, &ids);
        SV_CHECK(status.ok(), impl_->source, ": sentencepiece encoding failed (", status.ToString(), ")");
        out.insert(out.end(), ids.begin(), ids.end());
    };
    size_t pos = 0;
    for (const auto& m : impl_->specials.findAll(text)) {
        encodeChunk(text.substr(pos, m.start - pos));
        out.push_back(int64_t(m.token));
        pos = m.end;
    }
    encodeChunk(text.substr(pos));
    return out;
}

std::string SentencePieceTokenizer::decode(std::span<const int64_t> ids) const {
    // Decoded piece by piece run so that control pieces stay visible, as Hugging Face's decode keeps them.
    std::string text;
    std::vector<int> run;
    auto flush = [&] {
        if (run.empty()) return;
        std::string part;
        const auto status = impl_->sp.Decode(run, &part);
        SV_CHECK(status.ok(), impl_->source, ": sentencepiece decoding failed (", status.ToString(), ")");
        text += part;
        run.clear();
    };
    for (int64_t id : ids) {
        SV_CHECK(id >= 0 && id < vocabSize(), impl_->source, ": token id ", id, " is not in the vocabulary");
        if (impl_->sp.IsControl(int(id))) {
            flush();
            text += impl_->sp.IdToPiece(int(id));
        } else {
            run.push_back(int(id));
        }
    }
    flush();
    return text;
}

int64_t SentencePieceTokenizer::vocabSize() const {
    return impl_->sp.GetPieceSize();
}
int64_t SentencePieceTokenizer::padId() const {
    return impl_->sp.pad_id();
}
int64_t SentencePieceTokenizer::eosId() const {
    return impl_->sp.eos_id();
}
int64_t SentencePieceTokenizer::bosId() const {
    return impl_->sp.bos_id();
}

std::optional<int64_t> SentencePieceTokenizer::pieceToId(std::string_view piece) const {
    const int id = impl_->sp.PieceToId(piece);
    if (impl_->sp.IsUnknown(id) && impl_->sp.IdToPiece(id) != piece) return std::nullopt;
    return id;
}

std::string SentencePieceTokenizer::idToPiece(int64_t id) const {
    SV_CHECK(id >= 0 && id < vocabSize(), impl_->source, ": token id ", id, " is not in the vocabulary");
    return impl_->sp.IdToPiece(int(id));
}

std::string SentencePieceTokenizer::describe() const {
    return impl_->source + " (sentencepiece)";
}

#else  // !SV_HAVE_SENTENCEPIECE

struct SentencePieceTokenizer::Impl {};

SentencePieceTokenizer::SentencePieceTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::open(const std::filesystem::path& path) {
    fail(path.string(),
         ": this build has no sentencepiece support (built without libsentencepiece); use the folder's "
         "tokenizer.json instead");
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::fromSerializedProto(std::string_view,
                                                                                    std::string source) {
    fail(source,
         ": this build has no sentencepiece support (built without libsentencepiece); use the folder's "
         "tokenizer.json instead");
}

[[noreturn]] static void noSentencePiece() {
    fail("sentencepiece support is not built in");
}
std::vector<int64_t> SentencePieceTokenizer::encodeWithoutSpecialTokens(std::string_view) const {
    noSentencePiece();
}
std::string SentencePieceTokenizer::decode(std::span<const int64_t>) const {
    noSentencePiece();
}
int64_t SentencePieceTokenizer::vocabSize() const {
    noSentencePiece();
}
int64_t SentencePieceTokenizer::padId() const {
    noSentencePiece();
}
int64_t SentencePieceTokenizer::eosId() const {
    noSentencePiece();
}
int64_t SentencePieceTokenizer::bosId() const {
    noSentencePiece();
}
std::optional<int64_t> SentencePieceTokenizer::pieceToId(std::string_view) const {
    noSentencePiece();
}
std::string SentencePieceTokenizer::idToPiece(int64_t) const {
    noSentencePiece();
}
std::string SentencePieceTokenizer::describe() const {
    noSentencePiece();
}

#endif

}  // namespace sv::text
