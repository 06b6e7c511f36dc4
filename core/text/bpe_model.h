// The BPE model of Hugging Face tokenizers (models/bpe): a vocabulary, ranked merges, byte fallback and
// <unk>. Internal to core/text (HfBpeTokenizer builds one from tokenizer.json). Lookups use flat
// open-addressing tables: Gemma has 256,000 pieces and 580,000 merges, and node-based hash maps made loading
// take seconds.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sv::text {

/// One vocabulary entry as read from the file.
using VocabEntry = std::pair<std::string, int32_t>;
/// One merge: the two pieces concatenated, and the byte length of the left one.
using MergeEntry = std::pair<std::string, uint32_t>;
/// Merges in rank order (a deque: appending 580,000 of them never moves the earlier ones).
using MergeList = std::deque<MergeEntry>;

struct BpeOptions {
    std::optional<std::string> unkToken;
    bool fuseUnk = false;
    bool byteFallback = false;
    bool ignoreMerges = false;
    std::string continuingSubwordPrefix;
    std::string endOfWordSuffix;
};

class BpeModel {
  public:
    /// `merges` in rank order. Throws sv::Error (prefixed by `source`) when a merge names a piece, or
    /// produces one, that the vocabulary lacks, or when the unk token is not in it. A piece listed twice
    /// keeps its last id.
    BpeModel(std::vector<VocabEntry> vocab, const MergeList& merges, BpeOptions options,
             std::string_view source);

    /// Appends the ids of one pre-tokenized word (valid UTF-8; nothing for an empty word).
    void tokenize(std::string_view word, std::vector<int64_t>& out) const;

    std::optional<int32_t> find(std::string_view piece) const;
    /// The piece of an id, or nullptr when the model has no such id.
    const std::string* piece(int64_t id) const;
    /// The largest id + 1.
    int64_t size() const { return int64_t(entryById_.size()); }

  private:
    struct Merge {
        uint32_t rank;
        int32_t newId;
    };
    struct MergeSlot {
        uint64_t key;  // kEmptyKey when unused
        Merge merge;
    };
    static constexpr uint64_t kEmptyKey = ~uint64_t(0);
    static uint64_t pairKey(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
    static size_t hashPiece(std::string_view s);
    const Merge* findMerge(int32_t a, int32_t b) const;
    void insertMerge(uint64_t key, Merge m);

    std::vector<VocabEntry> entries_;
    std::vector<uint32_t> pieceSlots_;  // open addressing over entries_: index + 1, 0 when empty
    std::vector<int64_t> entryById_;    // index into entries_ per id, -1 for gaps
    std::vector<MergeSlot> mergeSlots_;
    std::array<int32_t, 256> byteIds_{};  // id of "<0xNN>", or -1
    std::optional<int32_t> unkId_;
    BpeOptions options_;
};

}  // namespace sv::text
