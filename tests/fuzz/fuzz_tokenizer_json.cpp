// libFuzzer target: arbitrary text as a Hugging Face tokenizer.json (BPE). The first bytes of the input up to
// a NUL are also encoded as a prompt when the document is accepted, so the BPE merges, byte fallback, added
// tokens and normalizers run on fuzzed data. Anything but sv::Error (or success) is a bug; ids must be in
// range and decode back without failing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "text/hf_bpe_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const size_t split = all.find('\0');
    const std::string_view prompt =
        split == std::string_view::npos ? std::string_view() : all.substr(0, split);
    const std::string_view doc = split == std::string_view::npos ? all : all.substr(split + 1);
    std::unique_ptr<sv::text::HfBpeTokenizer> tok;
    try {
        tok = sv::text::HfBpeTokenizer::fromJsonText(doc, "fuzz/tokenizer.json");
    } catch (const sv::Error&) {
        return 0;
    }
    for (std::string_view text : {prompt, std::string_view("a cat <bos> sleeps\n\xc3\xa9\xe2\x96\x81 ")}) {
        try {
            const auto ids = tok->encode(text);
            for (int64_t id : ids)
                if (id < 0 || id >= tok->vocabSize()) std::abort();
            (void)tok->decode(ids);
        } catch (const sv::Error&) {
        }
    }
    return 0;
}
