// Fast reading of a Hugging Face tokenizer.json: one SAX pass that streams model.vocab and model.merges
// straight into a hash map and a pair list (a DOM of Gemma's 256,000 pieces and 580,000 merges would take
// seconds) and builds an ordinary nlohmann::json for everything else. Internal to core/text.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/bpe_model.h"

namespace sv::text {

struct TokenizerJson {
    nlohmann::json rest;            // the whole document except model.vocab and model.merges
    std::vector<VocabEntry> vocab;  // in file order
    MergeList merges;               // in file order ("#version" lines dropped)
    bool hasVocab = false;
    bool hasMerges = false;
};

/// Parses tokenizer.json text; throws sv::Error prefixed by `source` on malformed JSON or a malformed
/// vocab/merge.
TokenizerJson parseTokenizerJson(std::string_view text, const std::string& source);

}  // namespace sv::text
