// The statistical core of the entity tagger: the model (hashed feature
// weights, word clusters, gazetteers, alias table), its compact zstd file
// format, feature extraction and greedy BILOU decoding with document-level
// history. Shared by the runtime tagger (entities.cpp) and tools/train-ner.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace news::ner {

// Entity types in model order, and BILOU labels: 0 is O, 1 + 4*type + pos
// with pos B=0, I=1, L=2, U=3.
enum EntityType : int { kPer = 0, kOrg = 1, kLoc = 2, kMisc = 3 };
inline constexpr int kTypes = 4;
inline constexpr int kLabels = 1 + 4 * kTypes;
enum LabelPos : int { kB = 0, kI = 1, kL = 2, kU = 3 };

inline int label_type(int label) { return label == 0 ? -1 : (label - 1) / 4; }
inline int label_pos(int label) { return label == 0 ? -1 : (label - 1) % 4; }
inline int make_label(int type, int pos) { return 1 + 4 * type + pos; }
// Whether `cur` may follow `prev` (prev < 0 at a sentence start); `last` is
// true for the final token of a sentence (no B or I there).
bool valid_transition(int prev, int cur, bool last);

// CoNLL type names: "PER", "ORG", "LOC", "MISC".
std::string_view conll_type_name(int type);
// IOB2 tag of a BILOU label: B and U -> "B-PER", I and L -> "I-PER", 0 -> "O".
std::string iob2_tag(int label);

// Gazetteer kinds (bit numbers).
enum GazKind : int {
    kGazCountry = 0,     // ISO 3166-1 names and aliases
    kGazSubdivision = 1, // ISO 3166-2
    kGazCity = 2,        // tzdata zone1970.tab cities
    kGazLanguage = 3,    // ISO 639-3 language names (mostly MISC adjectives)
    kGazCurrency = 4,    // ISO 4217
    kGazKinds = 5
};

// Open-addressing map from non-zero 64-bit keys to small values; no
// allocation on lookup. A key and its value share a slot, so that a lookup
// waits for one cache line, not two (the tagger's weight lookups wait for
// memory more than they compute).
template <class V>
class FlatMap {
public:
    void reserve(size_t n) {
        size_t cap = 16;
        while (cap < n * 2) cap <<= 1;
        if (cap <= slots_.size()) return;
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(cap, Slot {});
        size_ = 0;
        for (const Slot& s : old) {
            if (s.key != 0) put(s.key, s.val);
        }
    }
    const V* find(uint64_t key) const {
        if (slots_.empty()) return nullptr;
        key |= 1; // 0 marks an empty slot
        const size_t mask = slots_.size() - 1;
        for (size_t i = key & mask;; i = (i + 1) & mask) {
            if (slots_[i].key == key) return &slots_[i].val;
            if (slots_[i].key == 0) return nullptr;
        }
    }
    V* find(uint64_t key) { return const_cast<V*>(static_cast<const FlatMap*>(this)->find(key)); }
    // Asks the CPU to fetch the slot where find(key) starts looking, so
    // that a batch of lookups waits for memory once, not once per key.
    void prefetch(uint64_t key) const {
        if (slots_.empty()) return;
        __builtin_prefetch(&slots_[(key | 1) & (slots_.size() - 1)]);
    }
    // Value for `key`, inserted as V{} when absent.
    V& get(uint64_t key) {
        if ((size_ + 1) * 2 > slots_.size()) reserve(size_ + 1 > 8 ? size_ * 2 : 16);
        key |= 1;
        const size_t mask = slots_.size() - 1;
        for (size_t i = key & mask;; i = (i + 1) & mask) {
            if (slots_[i].key == key) return slots_[i].val;
            if (slots_[i].key == 0) {
                slots_[i] = Slot {key, V {}};
                ++size_;
                return slots_[i].val;
            }
        }
    }
    void put(uint64_t key, const V& v) { get(key) = v; }
    void clear() {
        if (size_ == 0) return;
        for (Slot& s : slots_) s.key = 0;
        size_ = 0;
    }
    size_t size() const { return size_; }
    template <class F>
    void for_each(F&& f) const {
        for (const Slot& s : slots_) {
            if (s.key != 0) f(s.key, s.val);
        }
    }

private:
    struct Slot {
        uint64_t key = 0;
        V val {};
    };
    std::vector<Slot> slots_;
    size_t size_ = 0;
};

// Word clusters from unlabelled news text: three granularities.
inline constexpr int kClusterLevels = 3;
struct WordEntry {
    std::string word; // exact form as seen in the corpus
    uint32_t count = 0;
    std::array<uint16_t, kClusterLevels> cluster {}; // 0 = none
};

// One alias: `alias` (matched case-insensitively) of type `type` (or -1 for
// any) is canonically `canonical`.
struct AliasEntry {
    std::string alias;
    int type = -1;
    std::string canonical;
};

struct GazEntry {
    std::string phrase; // space-separated tokens
    uint32_t kinds = 0; // bit set of GazKind
};

class Model {
public:
    std::string version;
    std::vector<WordEntry> words;
    std::vector<GazEntry> gazetteer;
    std::vector<AliasEntry> aliases;
    // Weights: feature key -> row of kLabels int16 (times `scale`).
    float scale = 1.0f;

    // Replaces the weights (keys and rows of kLabels values each).
    void set_weights(const std::vector<uint64_t>& keys, const std::vector<int16_t>& rows, float scale);
    const int16_t* row(uint64_t key) const {
        const uint32_t* r = index_.find(key);
        return r ? &rows_[static_cast<size_t>(*r) * kLabels] : nullptr;
    }
    size_t feature_count() const { return index_.size(); }
    // Adds the weight rows of `keys` (unknown keys add nothing) to `acc`,
    // fetching them from memory in parallel.
    void add_rows(const std::vector<uint64_t>& keys, std::array<int32_t, kLabels>& acc) const;

    // Builds the lookup tables (word, gazetteer) after the lists changed.
    void build_tables();

    // File format: zstd-compressed binary, see ner_model.cpp.
    std::string serialize() const;
    static Model parse(std::string_view bytes); // throws std::runtime_error

    // Lookups used by feature extraction.
    const WordEntry* word(uint64_t exact_hash, uint64_t lower_hash) const;
    // The most frequent spelling of a word, by its lower-case hash.
    const WordEntry* usual_word(uint64_t lower_hash) const;
    // Share of a word's corpus occurrences that are lower case, 0..4 (5 = unknown).
    int lower_ratio_bin(uint64_t lower_hash) const;
    uint32_t gaz_kinds(uint64_t phrase_hash) const {
        const uint32_t* k = gaz_.find(phrase_hash);
        return k ? *k & ~kGazPrefix : 0;
    }
    // The kinds of a phrase, with kGazPrefix set when it begins a longer
    // gazetteer phrase; nullptr when it is neither a phrase nor begins one
    // (no longer phrase from here can match).
    const uint32_t* gaz_entry(uint64_t phrase_hash) const { return gaz_.find(phrase_hash); }
    static constexpr uint32_t kGazPrefix = 1u << 31;
    int gaz_max_len() const { return gaz_max_len_; }
    // The most frequent cased form of a lower-case word, or empty.
    std::string_view cased_form(std::string_view lower_word) const;

private:
    FlatMap<uint32_t> index_;
    std::vector<int16_t> rows_;
    FlatMap<uint32_t> word_exact_; // hash -> index + 1
    FlatMap<uint32_t> word_lower_; // lower hash -> index + 1 of most frequent form
    FlatMap<uint8_t> lower_bin_;
    FlatMap<uint32_t> gaz_;
    int gaz_max_len_ = 0;
};

// Hash of a token sequence for gazetteer lookup: tokens lower-cased, each
// folded in by hash_combine from kPhraseHashSeed (so a phrase's hash extends
// its prefix's one token at a time).
inline constexpr uint64_t kPhraseHashSeed = 0x9ae16a3b2f90404fULL;
uint64_t phrase_hash(const std::vector<std::string>& tokens);

// A document as the decoder sees it: normalised tokens and sentence starts.
struct Doc {
    std::vector<std::string_view> tokens;
    std::vector<uint32_t> sentence_begin; // index of each sentence's first token, ascending
};

// Per-document feature state; reuse one per thread to avoid allocations.
class FeatureExtractor {
public:
    explicit FeatureExtractor(const Model& model) : model_(model) {}

    // Precomputes token-level information for `doc` and clears the history.
    void prepare(const Doc& doc);
    // Feature keys of token `i` given the two previous labels (-1 = none).
    void features(size_t i, int prev1, int prev2, std::vector<uint64_t>& out) const;
    // Records the label chosen for token `i` (document-level history).
    void commit(size_t i, int label);

    size_t size() const { return info_.size(); }
    bool sentence_last(size_t i) const { return info_[i].last; }
    bool sentence_first(size_t i) const { return info_[i].first; }

private:
    struct Info {
        uint64_t word = 0, low = 0, shape = 0, sshape = 0;
        std::array<uint64_t, 4> pre {}, suf {};
        std::array<uint16_t, kClusterLevels> cluster {};
        uint32_t gaz = 0; // bit 4*kind + pos
        uint8_t lower_bin = 5;
        bool cap = false, first = false, last = false, alpha = false;
        bool caseless = false; // the sentence's case carries no information
        uint64_t hist = 0;     // history key: lower-cased word when capitalised
    };
    bool title_case(const Doc& doc, size_t b, size_t e) const;
    void make_caseless(std::string_view token, Info& f);
    void mark_gazetteer(size_t b, size_t e);

    const Model& model_;
    std::vector<Info> info_;
    std::string scratch_, scratch2_;
    FlatMap<std::array<uint16_t, kTypes + 1>> history_;
};

// Greedy left-to-right decoding with valid BILOU transitions. `score(keys,
// scores)` adds each label's score; `step(i, keys, scores, best)` may
// return a different label to continue with (training) or -1.
template <class Score, class Step>
void decode(FeatureExtractor& fx, Score&& score, Step&& step, std::vector<uint8_t>& labels) {
    std::vector<uint64_t> keys;
    keys.reserve(128);
    labels.assign(fx.size(), 0);
    int p1 = -1, p2 = -1;
    for (size_t i = 0; i < fx.size(); ++i) {
        if (fx.sentence_first(i)) p1 = p2 = -1;
        keys.clear();
        fx.features(i, p1, p2, keys);
        std::array<float, kLabels> scores {};
        score(keys, scores);
        const bool last = fx.sentence_last(i);
        int best = 0;
        float best_score = -1e30f;
        for (int l = 0; l < kLabels; ++l) {
            if (!valid_transition(p1, l, last)) continue;
            if (scores[l] > best_score) {
                best_score = scores[l];
                best = l;
            }
        }
        // Inside an entity the model may prefer to have ended it one token
        // earlier: close the previous label (B -> U, I -> L) instead of
        // letting a greedy span run on.
        if (p1 > 0 && (label_pos(p1) == kB || label_pos(p1) == kI)) {
            const int closed = make_label(label_type(p1), label_pos(p1) == kB ? kU : kL);
            for (int l = 0; l < kLabels; ++l) {
                if (!valid_transition(closed, l, last)) continue;
                if (scores[l] > best_score) {
                    best_score = scores[l];
                    best = l;
                }
            }
            if (!valid_transition(p1, best, last)) {
                p1 = closed;
                labels[i - 1] = static_cast<uint8_t>(closed);
            }
        }
        const int chosen = step(i, keys, scores, best);
        const int label = chosen >= 0 ? chosen : best;
        labels[i] = static_cast<uint8_t>(label);
        fx.commit(i, label);
        p2 = p1;
        p1 = label;
    }
}

// Tags `doc` with `model`: BILOU label per token.
void tag_doc(const Model& model, FeatureExtractor& fx, const Doc& doc, std::vector<uint8_t>& labels);

} // namespace news::ner
