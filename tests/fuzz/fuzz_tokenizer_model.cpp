// libFuzzer target: arbitrary bytes as a sentencepiece tokenizer.model (a serialized ModelProto, parsed by
// libsentencepiece, then our special-token matcher and encode). sentencepiece itself is not instrumented;
// what is checked is that we turn every failure into sv::Error and that accepted models give ids in range.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "text/sentencepiece_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::unique_ptr<sv::text::SentencePieceTokenizer> tok;
    try {
        tok = sv::text::SentencePieceTokenizer::fromSerializedProto(
            std::string_view(reinterpret_cast<const char*>(data), size), "fuzz/tokenizer.model");
    } catch (const sv::Error&) {
        return 0;
    }
    try {
        const auto ids = tok->encode("a cat <bos> sleeps <unk>\n\xc3\xa9 ");
        for (int64_t id : ids)
            if (id < 0 || id >= tok->vocabSize()) std::abort();
        (void)tok->decode(ids);
    } catch (const sv::Error&) {
    }
    return 0;
}
