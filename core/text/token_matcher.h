// Leftmost-longest exact matching of a set of strings, non-overlapping, scanning left to right (what the
// added- token "trie" of Hugging Face tokenizers does). Internal to core/text.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sv::text {

class TokenMatcher {
  public:
    struct Match {
        size_t start, end, token;
    };
    /// Registers a pattern (empty ones are ignored) with a caller-chosen token index; call build()
    /// afterwards.
    void add(std::string pattern, size_t token) {
        if (!pattern.empty()) patterns_.emplace_back(std::move(pattern), token);
    }
    void build() {
        for (auto& list : byFirstByte_) list.clear();
        for (size_t i = 0; i < patterns_.size(); ++i)
            byFirstByte_[uint8_t(patterns_[i].first[0])].push_back(i);
        for (auto& list : byFirstByte_) {
            std::stable_sort(list.begin(), list.end(), [this](size_t a, size_t b) {
                return patterns_[a].first.size() > patterns_[b].first.size();
            });
        }
    }
    bool empty() const { return patterns_.empty(); }
    /// At each position the longest pattern starting there wins; scanning resumes after it.
    std::vector<Match> findAll(std::string_view s) const {
        std::vector<Match> out;
        for (size_t i = 0; i < s.size();) {
            bool matched = false;
            for (size_t p : byFirstByte_[uint8_t(s[i])]) {
                const std::string& pat = patterns_[p].first;
                if (s.compare(i, pat.size(), pat) == 0) {
                    out.push_back(Match{i, i + pat.size(), patterns_[p].second});
                    i += pat.size();
                    matched = true;
                    break;
                }
            }
            if (!matched) ++i;
        }
        return out;
    }

  private:
    std::vector<std::pair<std::string, size_t>> patterns_;
    std::array<std::vector<size_t>, 256> byFirstByte_;
};

}  // namespace sv::text
