#include "text/tokenizer_json.h"

#include "base/error.h"

namespace sv::text {

namespace {

using nlohmann::json;

class Handler final : public nlohmann::json_sax<json> {
  public:
    Handler(TokenizerJson& out, const std::string& source) : out_(out), source_(source) {}

    bool null() override { return value(json(nullptr)); }
    bool boolean(bool v) override { return value(json(v)); }
    bool number_integer(number_integer_t v) override { return vocabId(v) || value(json(v)); }
    bool number_unsigned(number_unsigned_t v) override { return vocabId(int64_t(v)) || value(json(v)); }
    bool number_float(number_float_t v, const string_t&) override {
        SV_CHECK(mode_ != Mode::Vocab, source_, ": vocabulary id of \"", key_, "\" is not an integer");
        return value(json(v));
    }
    bool binary(binary_t& v) override { return value(json::binary(std::move(v))); }
    bool string(string_t& v) override {
        if (mode_ == Mode::Merges) {
            addLegacyMerge(v);
            return true;
        }
        if (mode_ == Mode::MergePair) {
            pair_.push_back(std::move(v));
            return true;
        }
        SV_CHECK(mode_ != Mode::Vocab, source_, ": vocabulary id of \"", key_, "\" is not an integer");
        return value(json(std::move(v)));
    }
    bool key(string_t& k) override {
        key_ = std::move(k);
        return true;
    }
    bool start_object(std::size_t) override {
        if (mode_ == Mode::None && atPath("vocab")) {
            mode_ = Mode::Vocab;
            out_.hasVocab = true;
            return true;
        }
        SV_CHECK(mode_ == Mode::None, source_, ": unexpected object inside model.",
                 mode_ == Mode::Vocab ? "vocab" : "merges");
        return open(json::object());
    }
    bool end_object() override {
        if (mode_ == Mode::Vocab) {
            mode_ = Mode::None;
            return true;
        }
        return close();
    }
    bool start_array(std::size_t) override {
        if (mode_ == Mode::None && atPath("merges")) {
            mode_ = Mode::Merges;
            out_.hasMerges = true;
            return true;
        }
        if (mode_ == Mode::Merges) {
            mode_ = Mode::MergePair;
            pair_.clear();
            return true;
        }
        SV_CHECK(mode_ == Mode::None, source_, ": malformed model.vocab or model.merges");
        return open(json::array());
    }
    bool end_array() override {
        if (mode_ == Mode::MergePair) {
            SV_CHECK(pair_.size() == 2, source_, ": merge ", out_.merges.size(), " is not a pair of pieces");
            const auto split = uint32_t(pair_[0].size());
            out_.merges.emplace_back(std::move(pair_[0]) + pair_[1], split);
            mode_ = Mode::Merges;
            return true;
        }
        if (mode_ == Mode::Merges) {
            mode_ = Mode::None;
            return true;
        }
        return close();
    }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) override {
        fail(source_, ": not valid JSON at byte ", position, " (", excerpt(e.what(), 300), ")");
    }

  private:
    enum class Mode { None, Vocab, Merges, MergePair };

    // True when the container about to open is model.<name> (a direct child of the top-level "model" object).
    bool atPath(const char* name) const {
        return stack_.size() == 2 && keys_[1] == "model" && stack_[1]->is_object() && key_ == name;
    }
    bool vocabId(int64_t v) {
        if (mode_ != Mode::Vocab) return false;
        SV_CHECK(v >= 0 && v <= INT32_MAX, source_, ": vocabulary id ", v, " of \"", key_,
                 "\" is out of range");
        out_.vocab.emplace_back(std::move(key_), int32_t(v));
        return true;
    }
    void addLegacyMerge(const std::string& line) {
        if (line.rfind("#version", 0) == 0) return;
        const size_t space = line.find(' ');
        SV_CHECK(space != std::string::npos && line.find(' ', space + 1) == std::string::npos, source_,
                 ": merge ", out_.merges.size() + 1, " (\"", line,
                 "\") is not two pieces separated by one space");
        std::string joined;
        joined.reserve(line.size() - 1);
        joined.append(line, 0, space).append(line, space + 1);
        out_.merges.emplace_back(std::move(joined), uint32_t(space));
    }
    json* insert(json&& v) {
        if (stack_.empty()) {
            out_.rest = std::move(v);
            return &out_.rest;
        }
        json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        json& slot = parent[key_];
        slot = std::move(v);
        return &slot;
    }
    bool value(json&& v) {
        SV_CHECK(mode_ == Mode::None, source_, ": malformed model.vocab or model.merges");
        insert(std::move(v));
        return true;
    }
    bool open(json&& container) {
        const std::string k = (!stack_.empty() && stack_.back()->is_object()) ? key_ : std::string();
        stack_.push_back(insert(std::move(container)));
        keys_.push_back(k);
        return true;
    }
    bool close() {
        stack_.pop_back();
        keys_.pop_back();
        return true;
    }

    TokenizerJson& out_;
    const std::string& source_;
    Mode mode_ = Mode::None;
    std::vector<json*> stack_;  // open containers of the DOM being built
    std::vector<std::string>
        keys_;  // the key each open container has in its parent ("" in arrays and at the root)
    std::string key_;
    std::vector<std::string> pair_;
};

}  // namespace

TokenizerJson parseTokenizerJson(std::string_view text, const std::string& source) {
    TokenizerJson out;
    Handler handler(out, source);
    const bool ok = json::sax_parse(text.begin(), text.end(), &handler);
    SV_CHECK(ok, source, ": not valid JSON");
    return out;
}

}  // namespace sv::text
