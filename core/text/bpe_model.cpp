#include "text/bpe_model.h"

#include <queue>

#include "base/error.h"
#include "base/parallel.h"

namespace sv::text {

namespace {

size_t utf8Length(uint8_t lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xe0) == 0xc0) return 2;
    if ((lead & 0xf0) == 0xe0) return 3;
    return 4;
}

struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    uint32_t len;  // bytes of the word covered; 0 once merged into its left neighbour
};

struct Candidate {
    uint32_t rank;
    uint32_t pos;
    int32_t newId;
};
// Priority: lowest rank first, then leftmost position (the order of the Rust implementation's heap).
struct LowerPriority {
    bool operator()(const Candidate& a, const Candidate& b) const {
        return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
    }
};

// Repeatedly applies the lowest-ranked merge present (leftmost first among equal ranks) to the symbol list.
// Stale queue entries are recognised as the reference does (tokenizers/src/models/bpe/word.rs,
// Word::merge_all), by re-checking that the pair still merges into newId. findMerge(a, b) returns the merge
// of a pair or null.
template <class FindMerge>
void applyMerges(std::vector<Symbol>& symbols, FindMerge&& findMerge) {
    std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
        if (const auto* m = findMerge(symbols[i].id, symbols[i + 1].id)) {
            queue.push(Candidate{m->rank, uint32_t(i), m->newId});
        }
    }
    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol& cur = symbols[top.pos];
        if (cur.len == 0 || cur.next < 0) continue;
        const size_t nextPos = size_t(cur.next);
        const Symbol right = symbols[nextPos];
        const auto* m = findMerge(cur.id, right.id);
        if (!m || m->newId != top.newId) continue;

        cur.id = top.newId;
        cur.len += right.len;
        cur.next = right.next;
        symbols[nextPos].len = 0;
        if (right.next >= 0) symbols[size_t(right.next)].prev = int32_t(top.pos);

        if (cur.prev >= 0) {
            if (const auto* pm = findMerge(symbols[size_t(cur.prev)].id, cur.id)) {
                queue.push(Candidate{pm->rank, uint32_t(cur.prev), pm->newId});
            }
        }
        if (cur.next >= 0) {
            if (const auto* nm = findMerge(cur.id, symbols[size_t(cur.next)].id)) {
                queue.push(Candidate{nm->rank, top.pos, nm->newId});
            }
        }
    }
}

}  // namespace

BpeModel::BpeModel(std::vector<VocabEntry> vocab, const MergeList& merges, BpeOptions options,
                   std::string_view source)
    : entries_(std::move(vocab)), options_(std::move(options)) {
    // Piece table: power-of-two size, at most half full, linear probing.
    size_t capacity = 16;
    while (capacity < 2 * entries_.size()) capacity *= 2;
    pieceSlots_.assign(capacity, 0);
    int32_t maxId = -1;
    for (size_t i = 0; i < entries_.size(); ++i) {
        const auto& [piece, id] = entries_[i];
        SV_CHECK(id >= 0, source, ": vocabulary piece \"", piece, "\" has a negative id");
        maxId = std::max(maxId, id);
        for (size_t slot = hashPiece(piece) & (capacity - 1);; slot = (slot + 1) & (capacity - 1)) {
            if (pieceSlots_[slot] == 0) {
                pieceSlots_[slot] = uint32_t(i + 1);
                break;
            }
            if (entries_[pieceSlots_[slot] - 1].first == piece) {  // a repeated key: the last one wins
                pieceSlots_[slot] = uint32_t(i + 1);
                break;
            }
        }
    }
    entryById_.assign(size_t(maxId + 1), -1);
    for (size_t slot = 0; slot < capacity; ++slot) {
        if (pieceSlots_[slot] != 0) {
            const uint32_t e = pieceSlots_[slot] - 1;
            entryById_[size_t(entries_[e].second)] = e;
        }
    }

    if (options_.unkToken) {
        unkId_ = find(*options_.unkToken);
        SV_CHECK(unkId_.has_value(), source, ": unk_token \"", *options_.unkToken,
                 "\" is not in the vocabulary");
    }
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        const std::string name = std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">";
        byteIds_[size_t(b)] = find(name).value_or(-1);
    }

    capacity = 16;
    while (capacity * 7 < merges.size() * 10) capacity *= 2;  // load factor <= 0.7
    mergeSlots_.assign(capacity, MergeSlot{kEmptyKey, {}});
    // Resolve every merge to ids in parallel (read-only lookups), then insert in rank order.
    const size_t prefixLen = options_.continuingSubwordPrefix.size();
    auto merged = [&](size_t rank) {
        const std::string_view both = merges[rank].first;
        const size_t split = std::min<size_t>(merges[rank].second, both.size());
        if (prefixLen == 0) return std::string(both);
        const std::string_view b = both.substr(split);
        return std::string(both.substr(0, split)) + std::string(b.substr(std::min(prefixLen, b.size())));
    };
    struct Resolved {
        int32_t a, b, joined;
    };
    std::vector<Resolved> resolved(merges.size());
    parallelFor(int64_t(merges.size()), 4096, [&](int64_t begin, int64_t end) {
        for (auto rank = size_t(begin); rank < size_t(end); ++rank) {
            const std::string_view both = merges[rank].first;
            const size_t split = std::min<size_t>(merges[rank].second, both.size());
            resolved[rank].a = find(both.substr(0, split)).value_or(-1);
            resolved[rank].b = find(both.substr(split)).value_or(-1);
            resolved[rank].joined =
                prefixLen == 0 ? find(both).value_or(-1) : find(merged(rank)).value_or(-1);
        }
    });
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const Resolved& r = resolved[rank];
        const std::string_view both = merges[rank].first;
        const size_t split = std::min<size_t>(merges[rank].second, both.size());
        SV_CHECK(r.a >= 0, source, ": merge ", rank, " names \"", both.substr(0, split),
                 "\", which is not in the vocabulary");
        SV_CHECK(r.b >= 0, source, ": merge ", rank, " names \"", both.substr(split),
                 "\", which is not in the vocabulary");
        SV_CHECK(r.joined >= 0, source, ": merge ", rank, " produces \"", merged(rank),
                 "\", which is not in the vocabulary");
        // A later duplicate of the same pair replaces the earlier one, as in the reference implementation.
        insertMerge(pairKey(r.a, r.b), Merge{uint32_t(rank), r.joined});
    }
}

size_t BpeModel::hashPiece(std::string_view s) {
    return std::hash<std::string_view>{}(s);
}

std::optional<int32_t> BpeModel::find(std::string_view piece) const {
    const size_t mask = pieceSlots_.size() - 1;
    for (size_t slot = hashPiece(piece) & mask;; slot = (slot + 1) & mask) {
        const uint32_t e = pieceSlots_[slot];
        if (e == 0) return std::nullopt;
        if (entries_[e - 1].first == piece) return entries_[e - 1].second;
    }
}

const std::string* BpeModel::piece(int64_t id) const {
    if (id < 0 || id >= int64_t(entryById_.size()) || entryById_[size_t(id)] < 0) return nullptr;
    return &entries_[size_t(entryById_[size_t(id)])].first;
}

namespace {
uint64_t mix64(uint64_t x) {  // splitmix64 finalizer
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
}  // namespace

void BpeModel::insertMerge(uint64_t key, Merge m) {
    const size_t mask = mergeSlots_.size() - 1;
    for (size_t slot = mix64(key) & mask;; slot = (slot + 1) & mask) {
        if (mergeSlots_[slot].key == kEmptyKey || mergeSlots_[slot].key == key) {
            mergeSlots_[slot] = MergeSlot{key, m};
            return;
        }
    }
}

const BpeModel::Merge* BpeModel::findMerge(int32_t a, int32_t b) const {
    const uint64_t key = pairKey(a, b);
    const size_t mask = mergeSlots_.size() - 1;
    for (size_t slot = mix64(key) & mask;; slot = (slot + 1) & mask) {
        if (mergeSlots_[slot].key == key) return &mergeSlots_[slot].merge;
        if (mergeSlots_[slot].key == kEmptyKey) return nullptr;
    }
}

void BpeModel::tokenize(std::string_view word, std::vector<int64_t>& out) const {
    if (word.empty()) return;
    if (options_.ignoreMerges) {
        if (const auto id = find(word)) {
            out.push_back(*id);
            return;
        }
    }

    // 1. One symbol per character: its piece, else its <0xNN> byte pieces, else <unk> (fused if asked).
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    auto add = [&symbols](int32_t id, uint32_t len) {
        const auto n = int32_t(symbols.size());
        if (n > 0) symbols.back().next = n;
        symbols.push_back(Symbol{id, n - 1, -1, len});
    };
    int32_t unkPending = -1;  // an <unk> not yet added (fused over consecutive unknown characters)
    uint32_t unkPendingLen = 0;
    auto flushUnk = [&] {
        if (unkPending >= 0) add(unkPending, unkPendingLen);
        unkPending = -1;
    };
    std::string piece;
    for (size_t i = 0; i < word.size();) {
        const size_t len = std::min(utf8Length(uint8_t(word[i])), word.size() - i);
        const bool first = i == 0;
        const bool last = i + len == word.size();
        piece.clear();
        if (!first) piece += options_.continuingSubwordPrefix;
        piece.append(word.substr(i, len));
        if (last) piece += options_.endOfWordSuffix;

        if (const auto id = find(piece)) {
            flushUnk();
            add(*id, uint32_t(len));
        } else {
            bool done = false;
            if (options_.byteFallback) {
                bool all = true;
                for (char c : piece) all = all && byteIds_[uint8_t(c)] >= 0;
                if (all) {
                    for (char c : piece) add(byteIds_[uint8_t(c)], 1);
                    done = true;
                }
            }
            if (!done && unkId_) {
                if (unkPending >= 0 && options_.fuseUnk) {
                    unkPendingLen += uint32_t(len);
                } else {
                    flushUnk();
                    unkPending = *unkId_;
                    unkPendingLen = uint32_t(len);
                }
            }
        }
        i += len;
    }
    flushUnk();

    // 2. Merge.
    applyMerges(symbols, [this](int32_t x, int32_t y) { return findMerge(x, y); });
    for (const Symbol& s : symbols) {
        if (s.len != 0) out.push_back(s.id);
    }
}

}  // namespace sv::text
