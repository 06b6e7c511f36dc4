#include "text/prompt_tokens.h"

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "text/unicode.h"

namespace sv::text {

namespace {

std::string joinLines(std::span<const std::string> lines) {
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) out += '\n';
        out += lines[i];
    }
    return out;
}

/// `text` cut to at most `bytes` bytes at a code point boundary.
std::string_view utf8Prefix(std::string_view text, size_t bytes) {
    if (bytes >= text.size()) return text;
    while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
    return text.substr(0, bytes);
}

std::vector<std::string> prepare(std::span<const std::string> prompts, const std::string& prefix) {
    std::vector<std::string> out;
    out.reserve(prompts.size());
    for (const std::string& p : prompts) {
        // Only the first kMaxPromptBytes after the leading whitespace (which strip() drops) can matter.
        std::string_view text = p;
        while (!text.empty() && static_cast<unsigned char>(text.front()) < 0x80 &&
               isPythonSpace(char32_t(text.front())))
            text.remove_prefix(1);
        out.push_back(prefix + lowerStrip(utf8Prefix(text, kMaxPromptBytes)));
    }
    return out;
}

}  // namespace

const std::vector<std::string>& defaultComplexHumanInstruction() {
    static const std::vector<std::string> lines = {
        "Given a user prompt, generate an 'Enhanced prompt' that provides detailed visual descriptions "
        "suitable "
        "for video generation. Evaluate the level of detail in the user prompt:",
        "- If the prompt is simple, focus on adding specifics about colors, shapes, sizes, textures, motion, "
        "and "
        "temporal relationships to create vivid and dynamic scenes.",
        "- If the prompt is already detailed, refine and enhance the existing details slightly without "
        "overcomplicating.",
        "Here are examples of how to transform or refine prompts:",
        "- User Prompt: A cat sleeping -> Enhanced: A small, fluffy white cat slowly settling into a curled "
        "position, peacefully falling asleep on a warm sunny windowsill, with gentle sunlight filtering "
        "through "
        "surrounding pots of blooming red flowers.",
        "- User Prompt: A busy city street -> Enhanced: A bustling city street scene at dusk, featuring "
        "glowing "
        "street lamps gradually lighting up, a diverse crowd of people in colorful clothing walking past, "
        "and a "
        "double-decker bus smoothly passing by towering glass skyscrapers.",
        "Please generate only the enhanced description for the prompt below and avoid including any "
        "additional "
        "commentary or evaluations:",
        "User Prompt: ",
    };
    return lines;
}

std::string lowerStrip(std::string_view prompt) {
    return pythonStrip(pythonLower(prompt));
}

TokenBatch tokenizePadded(const Tokenizer& tokenizer, std::span<const std::string> texts, int64_t maxLength) {
    SV_CHECK(maxLength >= 1, "max_length must be at least 1 (got ", maxLength, ")");
    const auto batch = int64_t(texts.size());
    TokenBatch out{Tensor::empty({batch, maxLength}, DType::I64),
                   Tensor::zeros({batch, maxLength}, DType::I64)};
    int64_t* ids = out.ids.data<int64_t>();
    int64_t* mask = out.mask.data<int64_t>();
    std::fill(ids, ids + batch * maxLength, tokenizer.padId());
    for (int64_t b = 0; b < batch; ++b) {
        const std::vector<int64_t> tokens = encodeFirstTokens(tokenizer, texts[size_t(b)], maxLength);
        const int64_t n = std::min<int64_t>(int64_t(tokens.size()), maxLength);
        for (int64_t i = 0; i < n; ++i) {
            ids[b * maxLength + i] = tokens[size_t(i)];
            mask[b * maxLength + i] = 1;
        }
    }
    return out;
}

std::vector<int64_t> encodeFirstTokens(const Tokenizer& tokenizer, std::string_view text, int64_t maxTokens) {
    SV_CHECK(maxTokens >= 1, "max_length must be at least 1 (got ", maxTokens, ")");
    // A token a few tokens before a cut is what the whole text gives too; kMargin keeps the cut's
    // neighbourhood out of the result. Real text averages 3-5 bytes per token, so one try usually does.
    constexpr int64_t kMargin = 64;
    const auto wanted = size_t(maxTokens + kMargin);
    for (size_t budget = wanted * 8;; budget *= 2) {
        const std::string_view part = utf8Prefix(text, budget);
        std::vector<int64_t> ids = tokenizer.encode(part);
        if (part.size() == text.size() || ids.size() >= wanted) {
            if (int64_t(ids.size()) > maxTokens) ids.resize(size_t(maxTokens));
            return ids;
        }
    }
}

int64_t complexHumanInstructionTokenCount(const Tokenizer& tokenizer,
                                          std::span<const std::string> instruction) {
    if (instruction.empty()) return 0;
    return int64_t(tokenizer.encode(joinLines(instruction)).size());
}

PromptTokens tokenizePositivePrompts(const Tokenizer& tokenizer, std::span<const std::string> prompts,
                                     std::span<const std::string> instruction, int64_t maxSequenceLength) {
    SV_CHECK(maxSequenceLength >= 1, "max_sequence_length must be at least 1 (got ", maxSequenceLength, ")");
    PromptTokens out;
    std::string prefix;
    int64_t length = maxSequenceLength;
    if (!instruction.empty()) {
        prefix = joinLines(instruction);
        out.chiTokenCount = int64_t(tokenizer.encode(prefix).size());
        length = out.chiTokenCount + maxSequenceLength - 2;
    }
    out.tokens = tokenizePadded(tokenizer, prepare(prompts, prefix), length);
    // select_index = [0] + range(-msl + 1, 0), taken as positions of the length-L sequence.
    out.selectIndex.push_back(0);
    for (int64_t k = -maxSequenceLength + 1; k < 0; ++k) {
        SV_CHECK(length + k >= 0, "max_sequence_length ", maxSequenceLength, " does not fit the ", length,
                 " tokens of the instruction-prefixed prompt");
        out.selectIndex.push_back(length + k);
    }
    return out;
}

PromptTokens tokenizeNegativePrompts(const Tokenizer& tokenizer, std::span<const std::string> prompts,
                                     int64_t maxSequenceLength) {
    return tokenizePositivePrompts(tokenizer, prompts, {}, maxSequenceLength);
}

Tensor selectTokens(const Tensor& x, std::span<const int64_t> index) {
    SV_CHECK(x.rank() >= 2, "selectTokens: expected a [B, L, ...] tensor, got ", x.describe());
    SV_ASSERT_MSG(x.device().isCpu(), "selectTokens: CPU tensors only");
    const Tensor src = x.contiguous();
    const int64_t batch = src.dim(0), length = src.dim(1);
    const size_t rowBytes =
        size_t(src.numel() / std::max<int64_t>(batch * length, 1)) * dtypeSize(src.dtype());
    Shape shape = src.shape();
    shape[1] = int64_t(index.size());
    Tensor out = Tensor::empty(shape, src.dtype());
    const auto* in = static_cast<const uint8_t*>(src.rawData());
    auto* dst = static_cast<uint8_t*>(out.rawData());
    for (int64_t b = 0; b < batch; ++b) {
        for (size_t j = 0; j < index.size(); ++j) {
            const int64_t i = index[j];
            SV_CHECK(i >= 0 && i < length, "selectTokens: index ", i, " out of range for length ", length);
            std::memcpy(dst + (size_t(b) * index.size() + j) * rowBytes,
                        in + size_t(b * length + i) * rowBytes, rowBytes);
        }
    }
    return out;
}

}  // namespace sv::text
