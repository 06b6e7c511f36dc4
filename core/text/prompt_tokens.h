// The text preparation of SanaVideoPipeline / SanaImageToVideoPipeline (diffusers pipeline_sana_video.py:
// _text_preprocessing, _get_gemma_prompt_embeds, encode_prompt): lower-case and strip
// each prompt, put the complex human instruction (CHI) in front of the positive prompt, tokenize to a fixed
// length with BOS, right truncation and right padding, and the select-index that keeps the BOS position and
// the last max_sequence_length − 1 positions of the text encoder's output for the positive prompt.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/tensor.h"
#include "text/tokenizer.h"

namespace sv::text {

/// The pipeline's default `complex_human_instruction`: 8 lines, joined with "\n" (the last ends in a space).
const std::vector<std::string>& defaultComplexHumanInstruction();

/// Python's `prompt.lower().strip()` (the pipeline's preprocessing with clean_caption=False).
std::string lowerStrip(std::string_view prompt);

/// Ids and attention mask of a batch, both I64 [B, L].
struct TokenBatch {
    Tensor ids;
    Tensor mask;
};

/// Each text tokenized with BOS, cut to `maxLength` tokens and right-padded with the pad id (mask 1 on real
/// tokens, 0 on padding): the tokenizer call with padding="max_length", truncation=True,
/// add_special_tokens=True.
TokenBatch tokenizePadded(const Tokenizer& tokenizer, std::span<const std::string> texts, int64_t maxLength);

/// Token count of the instruction lines joined with "\n", BOS included (n_chi); 0 for an empty list.
int64_t complexHumanInstructionTokenCount(const Tokenizer& tokenizer,
                                          std::span<const std::string> instruction);

struct PromptTokens {
    TokenBatch tokens;  // what the text encoder runs on, [B, L]
    std::vector<int64_t>
        selectIndex;  // positions of the encoder output (and mask) to keep: maxSequenceLength of them
    int64_t chiTokenCount = 0;  // n_chi, 0 without instruction
    int64_t length() const { return tokens.ids.dim(1); }
};

/// Positive prompts: lowerStrip, then with a non-empty `instruction` text = joined instruction + prompt and
/// L = n_chi + maxSequenceLength − 2, else L = maxSequenceLength; selectIndex = [0, L−msl+1, …, L−1].
PromptTokens tokenizePositivePrompts(const Tokenizer& tokenizer, std::span<const std::string> prompts,
                                     std::span<const std::string> instruction,
                                     int64_t maxSequenceLength = 300);

/// Negative prompts: lowerStrip, no instruction, L = maxSequenceLength, identity selectIndex.
PromptTokens tokenizeNegativePrompts(const Tokenizer& tokenizer, std::span<const std::string> prompts,
                                     int64_t maxSequenceLength = 300);

/// x[:, index] for x of shape [B, L, ...] (any dtype, CPU): a new contiguous [B, index.size(), ...] tensor.
Tensor selectTokens(const Tensor& x, std::span<const int64_t> index);

}  // namespace sv::text
