#include "text/hf_bpe_tokenizer.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/input_file.h"
#include "text/bpe_model.h"
#include "text/token_matcher.h"
#include "text/tokenizer_json.h"
#include "text/unicode.h"

namespace sv::text {

namespace {

using nlohmann::json;

struct AddedToken {
    std::string content;
    int64_t id = 0;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

struct NormalizerStep {
    enum class Kind { Replace, Prepend } kind;
    std::string pattern;  // Replace: the string replaced
    std::string content;  // Replace: replacement; Prepend: the prefix
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
struct SplitStep {
    std::string pattern;
    SplitBehavior behavior;
};

struct DecoderStep {
    enum class Kind { Replace, ByteFallback, Fuse, Strip } kind;
    std::string pattern, content;
    size_t start = 0, stop = 0;
};

struct Segment {
    std::string text;
    int64_t id = -1;  // >= 0: an added token
};

bool isRegexSpace(char32_t c) {  // Unicode White_Space (the regex crate's \s)
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
           c == 0x3000;
}
// The regex crate's \w, approximated: ASCII letters, digits and '_', and every non-space non-ASCII character.
bool isWordChar(char32_t c) {
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    return !isRegexSpace(c);
}
char32_t lastChar(std::string_view s) {
    size_t i = s.size();
    while (i > 0 && (uint8_t(s[i - 1]) & 0xc0) == 0x80) --i;
    return i > 0 ? decodeUtf8(s.substr(i - 1))[0] : 0;
}
char32_t firstChar(std::string_view s) {
    size_t n = 1;
    while (n < s.size() && (uint8_t(s[n]) & 0xc0) == 0x80) ++n;
    return decodeUtf8(s.substr(0, n))[0];
}
size_t trailingSpaceStart(std::string_view s) {
    const std::u32string cs = decodeUtf8(s);
    size_t bytes = s.size(), k = cs.size();
    while (k > 0 && isRegexSpace(cs[k - 1])) {
        std::string enc;
        appendUtf8(enc, cs[--k]);
        bytes -= enc.size();
    }
    return bytes;
}
size_t leadingSpaceEnd(std::string_view s) {
    size_t bytes = 0;
    for (char32_t c : decodeUtf8(s)) {
        if (!isRegexSpace(c)) break;
        std::string enc;
        appendUtf8(enc, c);
        bytes += enc.size();
    }
    return bytes;
}

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
    if (from.empty()) return;
    std::string out;
    out.reserve(s.size());
    size_t pos = 0;
    for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
        out.append(s, pos, hit - pos);
        out.append(to);
    }
    out.append(s, pos);
    s = std::move(out);
}

std::string patternString(const json& step, std::string_view what, std::string_view source) {
    const auto& pattern = step.at("pattern");
    SV_CHECK(pattern.contains("String"), source, ": ", what,
             " with a Regex pattern is not supported (only String patterns)");
    return pattern.at("String").get<std::string>();
}

}  // namespace

struct HfBpeTokenizer::Impl {
    std::string source;
    std::unique_ptr<BpeModel> model;
    std::vector<AddedToken> added;
    TokenMatcher rawMatcher, normalizedMatcher;
    std::vector<NormalizerStep> normalizer;
    std::vector<SplitStep> preTokenizer;
    std::vector<DecoderStep> decoder;
    std::string unsupportedDecoder;  // non-empty: decode() throws naming it
    int64_t bos = -1, eos = -1, pad = -1;
    int64_t vocabSize = 0;

    void parseNormalizer(const json& n);
    void parsePreTokenizer(const json& p);
    void parseDecoder(const json& d);
    std::string normalize(std::string s) const;
    std::vector<Segment> splitAdded(std::string_view s, const TokenMatcher& matcher) const;
    std::vector<std::string> preTokenize(const std::string& s) const;
    std::optional<int64_t> lookup(std::string_view piece) const;
};

void HfBpeTokenizer::Impl::parseNormalizer(const json& n) {
    if (n.is_null()) return;
    const std::string type = n.at("type").get<std::string>();
    if (type == "Sequence") {
        for (const auto& step : n.at("normalizers")) parseNormalizer(step);
    } else if (type == "Replace") {
        normalizer.push_back({NormalizerStep::Kind::Replace, patternString(n, "Replace normalizer", source),
                              n.at("content").get<std::string>()});
    } else if (type == "Prepend") {
        normalizer.push_back({NormalizerStep::Kind::Prepend, {}, n.at("prepend").get<std::string>()});
    } else {
        fail(source, ": normalizer type \"", type, "\" is not supported (Replace, Prepend, Sequence)");
    }
}

void HfBpeTokenizer::Impl::parsePreTokenizer(const json& p) {
    if (p.is_null()) return;
    const std::string type = p.at("type").get<std::string>();
    if (type == "Sequence") {
        for (const auto& step : p.at("pretokenizers")) parsePreTokenizer(step);
    } else if (type == "Split") {
        SV_CHECK(!p.value("invert", false), source,
                 ": Split pre-tokenizer with invert=true is not supported");
        const std::string b = p.at("behavior").get<std::string>();
        SplitBehavior behavior;
        if (b == "Removed") {
            behavior = SplitBehavior::Removed;
        } else if (b == "Isolated") {
            behavior = SplitBehavior::Isolated;
        } else if (b == "MergedWithPrevious") {
            behavior = SplitBehavior::MergedWithPrevious;
        } else if (b == "MergedWithNext") {
            behavior = SplitBehavior::MergedWithNext;
        } else if (b == "Contiguous") {
            behavior = SplitBehavior::Contiguous;
        } else {
            fail(source, ": unknown Split behavior \"", b, "\"");
        }
        preTokenizer.push_back({patternString(p, "Split pre-tokenizer", source), behavior});
    } else {
        fail(source, ": pre-tokenizer type \"", type, "\" is not supported (none, Split, Sequence)");
    }
}

void HfBpeTokenizer::Impl::parseDecoder(const json& d) {
    if (d.is_null()) return;
    const std::string type = d.at("type").get<std::string>();
    if (type == "Sequence") {
        for (const auto& step : d.at("decoders")) parseDecoder(step);
    } else if (type == "Replace" && d.at("pattern").contains("String")) {
        decoder.push_back({DecoderStep::Kind::Replace, d.at("pattern").at("String").get<std::string>(),
                           d.at("content").get<std::string>(), 0, 0});
    } else if (type == "ByteFallback") {
        decoder.push_back({DecoderStep::Kind::ByteFallback, {}, {}, 0, 0});
    } else if (type == "Fuse") {
        decoder.push_back({DecoderStep::Kind::Fuse, {}, {}, 0, 0});
    } else if (type == "Strip") {
        decoder.push_back({DecoderStep::Kind::Strip,
                           {},
                           d.at("content").get<std::string>(),
                           d.at("start").get<size_t>(),
                           d.at("stop").get<size_t>()});
    } else if (unsupportedDecoder.empty()) {
        unsupportedDecoder = type;
    }
}

std::string HfBpeTokenizer::Impl::normalize(std::string s) const {
    for (const auto& step : normalizer) {
        if (step.kind == NormalizerStep::Kind::Replace) {
            replaceAll(s, step.pattern, step.content);
        } else if (!s.empty()) {
            s.insert(0, step.content);
        }
    }
    return s;
}

// The reference's AddedVocabulary::find_matches + split: the text cut into added tokens and the pieces
// between.
std::vector<Segment> HfBpeTokenizer::Impl::splitAdded(std::string_view s, const TokenMatcher& matcher) const {
    std::vector<Segment> out;
    auto push = [&](size_t b, size_t e, int64_t id) {
        if (e > b) out.push_back(Segment{std::string(s.substr(b, e - b)), id});
    };
    size_t startOffset = 0;
    for (const auto& m : matcher.empty() ? std::vector<TokenMatcher::Match>{} : matcher.findAll(s)) {
        const AddedToken& tok = added[m.token];
        size_t start = m.start, stop = m.end;
        if (tok.singleWord) {
            const bool startSpace = start == 0 || !isWordChar(lastChar(s.substr(0, start)));
            const bool stopSpace = stop == s.size() || !isWordChar(firstChar(s.substr(stop)));
            if (!startSpace || !stopSpace) continue;
        }
        if (tok.lstrip) start = std::max(trailingSpaceStart(s.substr(0, start)), startOffset);
        if (tok.rstrip) stop += leadingSpaceEnd(s.substr(stop));
        if (startOffset < start) push(startOffset, start, -1);
        out.push_back(Segment{std::string(s.substr(start, stop - start)), tok.id});
        startOffset = stop;
    }
    if (startOffset < s.size()) push(startOffset, s.size(), -1);
    return out;
}

std::vector<std::string> HfBpeTokenizer::Impl::preTokenize(const std::string& s) const {
    std::vector<std::string> words{s};
    for (const auto& step : preTokenizer) {
        std::vector<std::string> next;
        for (const std::string& w : words) {
            // (offsets, isMatch) pieces covering w, then grouped per behavior as NormalizedString::split
            // does.
            std::vector<std::pair<std::string, bool>> pieces;
            size_t pos = 0;
            for (size_t hit; !step.pattern.empty() && (hit = w.find(step.pattern, pos)) != std::string::npos;
                 pos = hit + step.pattern.size()) {
                if (hit > pos) pieces.emplace_back(w.substr(pos, hit - pos), false);
                pieces.emplace_back(step.pattern, true);
            }
            if (pos < w.size()) pieces.emplace_back(w.substr(pos), false);
            std::vector<std::string> groups;
            bool previousMatch = false;
            if (step.behavior == SplitBehavior::MergedWithNext) {
                for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
                    if (it->second && !previousMatch && !groups.empty()) {
                        groups.back().insert(0, it->first);
                    } else {
                        groups.push_back(it->first);
                    }
                    previousMatch = it->second;
                }
                std::reverse(groups.begin(), groups.end());
            } else {
                for (const auto& [text, isMatch] : pieces) {
                    const bool merge =
                        !groups.empty() &&
                        ((step.behavior == SplitBehavior::MergedWithPrevious && isMatch && !previousMatch) ||
                         (step.behavior == SplitBehavior::Contiguous && isMatch == previousMatch));
                    if (step.behavior == SplitBehavior::Removed && isMatch) {
                        // dropped
                    } else if (merge) {
                        groups.back() += text;
                    } else {
                        groups.push_back(text);
                    }
                    previousMatch = isMatch;
                }
            }
            for (auto& g : groups) {
                if (!g.empty()) next.push_back(std::move(g));
            }
        }
        words = std::move(next);
    }
    return words;
}

std::optional<int64_t> HfBpeTokenizer::Impl::lookup(std::string_view piece) const {
    for (const auto& t : added) {
        if (t.content == piece) return t.id;
    }
    if (const auto id = model->find(piece)) return *id;
    return std::nullopt;
}

HfBpeTokenizer::HfBpeTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HfBpeTokenizer::~HfBpeTokenizer() = default;

std::unique_ptr<HfBpeTokenizer> HfBpeTokenizer::fromFile(const std::filesystem::path& path) {
    return fromJsonText(io::readInputFile(path, io::InputKind::Tokenizer), path.string());
}

std::unique_ptr<HfBpeTokenizer> HfBpeTokenizer::fromJsonText(std::string_view text, std::string source) {
    auto impl = std::make_unique<Impl>();
    impl->source = source;
    TokenizerJson parsed = parseTokenizerJson(text, source);
    const json& doc = parsed.rest;
    try {
        SV_CHECK(doc.is_object() && doc.contains("model"), source, ": not a tokenizer.json (no \"model\")");
        const json& model = doc.at("model");
        const std::string type = model.value("type", std::string("BPE"));
        SV_CHECK(type == "BPE", source, ": model type \"", type, "\" is not supported (only BPE)");
        SV_CHECK(parsed.hasVocab && parsed.hasMerges, source, ": the BPE model has no vocab or no merges");
        const json dropout = model.value("dropout", json());
        SV_CHECK(dropout.is_null() || dropout.get<double>() == 0.0, source,
                 ": BPE dropout is not supported (inference tokenization is deterministic)");

        BpeOptions options;
        if (const json unk = model.value("unk_token", json()); !unk.is_null()) {
            options.unkToken = unk.get<std::string>();
        }
        options.fuseUnk = model.value("fuse_unk", false);
        options.byteFallback = model.value("byte_fallback", false);
        options.ignoreMerges = model.value("ignore_merges", false);
        if (const json p = model.value("continuing_subword_prefix", json()); !p.is_null()) {
            options.continuingSubwordPrefix = p.get<std::string>();
        }
        if (const json s = model.value("end_of_word_suffix", json()); !s.is_null()) {
            options.endOfWordSuffix = s.get<std::string>();
        }
        impl->model =
            std::make_unique<BpeModel>(std::move(parsed.vocab), parsed.merges, std::move(options), source);
        parsed.merges = {};
        impl->vocabSize = impl->model->size();

        for (const auto& t : doc.value("added_tokens", json::array())) {
            AddedToken tok;
            tok.content = t.at("content").get<std::string>();
            tok.id = t.at("id").get<int64_t>();
            tok.singleWord = t.value("single_word", false);
            tok.lstrip = t.value("lstrip", false);
            tok.rstrip = t.value("rstrip", false);
            tok.normalized = t.value("normalized", true);
            tok.special = t.value("special", false);
            SV_CHECK(tok.id >= 0, source, ": added token \"", tok.content, "\" has a negative id");
            impl->vocabSize = std::max(impl->vocabSize, tok.id + 1);
            impl->added.push_back(std::move(tok));
        }
        impl->parseNormalizer(doc.value("normalizer", json()));
        impl->parsePreTokenizer(doc.value("pre_tokenizer", json()));
        impl->parseDecoder(doc.value("decoder", json()));
        for (size_t i = 0; i < impl->added.size(); ++i) {
            const AddedToken& t = impl->added[i];
            if (t.normalized) {
                impl->normalizedMatcher.add(impl->normalize(t.content), i);
            } else {
                impl->rawMatcher.add(t.content, i);
            }
        }
        impl->rawMatcher.build();
        impl->normalizedMatcher.build();

        auto special = [&](const char* name) {
            const auto id = impl->lookup(name);
            SV_CHECK(id.has_value(), source, ": the special token ", name, " is missing");
            return *id;
        };
        impl->bos = special("<bos>");
        impl->eos = special("<eos>");
        impl->pad = special("<pad>");
    } catch (const json::exception& e) {
        fail(source, ": malformed tokenizer.json (", excerpt(e.what(), 300), ")");
    }
    return std::unique_ptr<HfBpeTokenizer>(new HfBpeTokenizer(std::move(impl)));
}

std::vector<int64_t> HfBpeTokenizer::encodeWithoutSpecialTokens(std::string_view text) const {
    SV_CHECK(isValidUtf8(text), "prompt: not valid UTF-8");
    std::vector<int64_t> ids;
    for (const Segment& raw : impl_->splitAdded(text, impl_->rawMatcher)) {
        if (raw.id >= 0) {
            ids.push_back(raw.id);
            continue;
        }
        const std::string normalized = impl_->normalize(raw.text);
        for (const Segment& seg : impl_->splitAdded(normalized, impl_->normalizedMatcher)) {
            if (seg.id >= 0) {
                ids.push_back(seg.id);
                continue;
            }
            for (const std::string& word : impl_->preTokenize(seg.text)) impl_->model->tokenize(word, ids);
        }
    }
    return ids;
}

std::string HfBpeTokenizer::decode(std::span<const int64_t> ids) const {
    SV_CHECK(impl_->unsupportedDecoder.empty(), impl_->source, ": decoder type \"", impl_->unsupportedDecoder,
             "\" is not supported");
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int64_t id : ids) tokens.push_back(idToPiece(id));
    for (const DecoderStep& step : impl_->decoder) {
        switch (step.kind) {
            case DecoderStep::Kind::Replace:
                for (auto& t : tokens) replaceAll(t, step.pattern, step.content);
                break;
            case DecoderStep::Kind::Strip:
                for (auto& t : tokens) {
                    for (size_t i = 0; i < step.start && t.rfind(step.content, 0) == 0; ++i)
                        t.erase(0, step.content.size());
                    for (size_t i = 0;
                         i < step.stop && t.size() >= step.content.size() &&
                         t.compare(t.size() - step.content.size(), step.content.size(), step.content) == 0;
                         ++i) {
                        t.erase(t.size() - step.content.size());
                    }
                }
                break;
            case DecoderStep::Kind::Fuse: {
                std::string all;
                for (const auto& t : tokens) all += t;
                tokens.assign(1, std::move(all));
                break;
            }
            case DecoderStep::Kind::ByteFallback: {
                std::vector<std::string> out;
                std::string bytes;
                size_t byteTokens = 0;
                auto flush = [&] {
                    if (byteTokens == 0) return;
                    if (isValidUtf8(bytes)) {
                        out.push_back(bytes);
                    } else {
                        for (size_t i = 0; i < byteTokens; ++i) out.emplace_back("\xef\xbf\xbd");  // U+FFFD
                    }
                    bytes.clear();
                    byteTokens = 0;
                };
                for (const auto& t : tokens) {
                    const bool isByte = t.size() == 6 && t.rfind("<0x", 0) == 0 && t[5] == '>' &&
                                        std::isxdigit(uint8_t(t[3])) && std::isxdigit(uint8_t(t[4]));
                    if (isByte) {
                        bytes.push_back(char(std::stoi(t.substr(3, 2), nullptr, 16)));
                        ++byteTokens;
                    } else {
                        flush();
                        out.push_back(t);
                    }
                }
                flush();
                tokens = std::move(out);
                break;
            }
        }
    }
    std::string text;
    for (const auto& t : tokens) text += t;
    return text;
}

int64_t HfBpeTokenizer::vocabSize() const {
    return impl_->vocabSize;
}
int64_t HfBpeTokenizer::padId() const {
    return impl_->pad;
}
int64_t HfBpeTokenizer::eosId() const {
    return impl_->eos;
}
int64_t HfBpeTokenizer::bosId() const {
    return impl_->bos;
}
std::optional<int64_t> HfBpeTokenizer::pieceToId(std::string_view piece) const {
    return impl_->lookup(piece);
}

std::string HfBpeTokenizer::idToPiece(int64_t id) const {
    for (const auto& t : impl_->added) {
        if (t.id == id) return t.content;
    }
    const std::string* p = impl_->model->piece(id);
    SV_CHECK(p != nullptr, impl_->source, ": token id ", id, " is not in the vocabulary");
    return *p;
}

std::string HfBpeTokenizer::describe() const {
    return impl_->source + " (Hugging Face BPE)";
}

}  // namespace sv::text
