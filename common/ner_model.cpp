// Model tables, file format, features and decoding (see ner_model.h).
//
// File format (the whole file is one zstd frame):
//   "NEWSNER" 0x01, varint format version
//   string version
//   varint n words;     per word: string, varint count, kClusterLevels varints
//   varint n gazetteer; per entry: string phrase, varint kinds
//   varint n aliases;   per alias: string alias, varint type+1, string canonical
//   float32 scale, varint n features, n varint key deltas (sorted keys),
//   per row: varint bit mask of non-zero labels, zig-zag varint per value.
#include "common/ner_model.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>
#include <stdexcept>

#include <zstd.h>

#include "common/codec.h"
#include "common/ner_text.h"

namespace news::ner {

namespace {

constexpr std::string_view kMagic = "NEWSNER\x01";
constexpr uint64_t kFormatVersion = 1;

void put_string(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s);
}

class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}
    uint64_t varint() {
        const std::optional<uint64_t> v = get_varint(s_, pos_);
        if (!v) throw std::runtime_error("NER model: bad varint");
        return *v;
    }
    std::string string() {
        const uint64_t n = varint();
        need(n);
        std::string r(s_.substr(pos_, n));
        pos_ += n;
        return r;
    }
    std::string_view bytes(size_t n) {
        need(n);
        std::string_view r = s_.substr(pos_, n);
        pos_ += n;
        return r;
    }

private:
    void need(uint64_t n) const {
        if (n > s_.size() - pos_) throw std::runtime_error("NER model: truncated file");
    }
    std::string_view s_;
    size_t pos_ = 0;
};

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Sentinel hashes for positions outside the sentence.
constexpr uint64_t kBos = 0x5bd1e995aa55aa55ULL;
constexpr uint64_t kEos = 0x27d4eb2f165667c5ULL;

} // namespace

bool valid_transition(int prev, int cur, bool last) {
    const int pp = label_pos(prev < 0 ? 0 : prev);
    const int cp = label_pos(cur);
    const bool open = prev > 0 && (pp == kB || pp == kI);
    if (open) {
        if (label_type(cur) != label_type(prev)) return false;
        if (cp == kI) return !last;
        return cp == kL;
    }
    if (cur == 0) return true;
    if (cp == kB) return !last;
    return cp == kU;
}

std::string_view conll_type_name(int type) {
    switch (type) {
    case kPer: return "PER";
    case kOrg: return "ORG";
    case kLoc: return "LOC";
    default: return "MISC";
    }
}

std::string iob2_tag(int label) {
    if (label <= 0) return "O";
    const int pos = label_pos(label);
    return std::string(pos == kB || pos == kU ? "B-" : "I-") + std::string(conll_type_name(label_type(label)));
}

void Model::set_weights(const std::vector<uint64_t>& keys, const std::vector<int16_t>& rows, float new_scale) {
    index_ = FlatMap<uint32_t>();
    index_.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) index_.put(keys[i], static_cast<uint32_t>(i));
    rows_ = rows;
    scale = new_scale;
}

void Model::build_tables() {
    word_exact_ = FlatMap<uint32_t>();
    word_lower_ = FlatMap<uint32_t>();
    lower_bin_ = FlatMap<uint8_t>();
    gaz_ = FlatMap<uint32_t>();
    word_exact_.reserve(words.size());
    word_lower_.reserve(words.size());
    FlatMap<std::array<uint32_t, 2>> counts; // lower hash -> {lower-case count, total}
    counts.reserve(words.size());
    std::string low;
    for (size_t i = 0; i < words.size(); ++i) {
        const WordEntry& w = words[i];
        word_exact_.put(hash_bytes(w.word), static_cast<uint32_t>(i + 1));
        lower_into(w.word, low);
        const uint64_t lh = hash_bytes(low);
        uint32_t& best = word_lower_.get(lh);
        if (best == 0 || words[best - 1].count < w.count) best = static_cast<uint32_t>(i + 1);
        auto& c = counts.get(lh);
        if (low == w.word) c[0] += w.count;
        c[1] += w.count;
    }
    lower_bin_.reserve(counts.size());
    counts.for_each([&](uint64_t k, const std::array<uint32_t, 2>& c) {
        if (c[1] == 0) return;
        lower_bin_.put(k, static_cast<uint8_t>((c[0] * 4 + c[1] / 2) / c[1]));
    });
    gaz_.reserve(gazetteer.size());
    gaz_max_len_ = 0;
    for (const GazEntry& g : gazetteer) {
        std::vector<std::string> toks;
        size_t start = 0;
        while (start <= g.phrase.size()) {
            size_t sp = g.phrase.find(' ', start);
            if (sp == std::string::npos) sp = g.phrase.size();
            if (sp > start) toks.emplace_back(g.phrase.substr(start, sp - start));
            start = sp + 1;
        }
        if (toks.empty()) continue;
        // phrase_hash one token at a time: every shorter run of the phrase's
        // first tokens is marked as a prefix, the whole phrase gets its kinds.
        std::string low;
        uint64_t h = kPhraseHashSeed;
        for (size_t k = 0; k < toks.size(); ++k) {
            lower_into(toks[k], low);
            h = hash_combine(h, hash_bytes(low));
            gaz_.get(h) |= k + 1 < toks.size() ? kGazPrefix : g.kinds;
        }
        gaz_max_len_ = std::max(gaz_max_len_, static_cast<int>(toks.size()));
    }
}

void Model::add_rows(const std::vector<uint64_t>& keys, std::array<int32_t, kLabels>& acc) const {
    // Each lookup misses the cache twice (the hash slot, then the row):
    // prefetch every slot, then every row, then add.
    constexpr size_t kBatch = 64;
    const int16_t* rows[kBatch];
    for (size_t b = 0; b < keys.size(); b += kBatch) {
        const size_t e = std::min(keys.size(), b + kBatch);
        for (size_t i = b; i < e; ++i) index_.prefetch(keys[i]);
        size_t n = 0;
        for (size_t i = b; i < e; ++i) {
            if (const int16_t* r = row(keys[i])) {
                __builtin_prefetch(r);
                __builtin_prefetch(r + kLabels - 1);
                rows[n++] = r;
            }
        }
        for (size_t j = 0; j < n; ++j) {
            for (int l = 0; l < kLabels; ++l) acc[l] += rows[j][l];
        }
    }
}

const WordEntry* Model::word(uint64_t exact_hash, uint64_t lower_hash) const {
    const uint32_t* i = word_exact_.find(exact_hash);
    if (!i) i = word_lower_.find(lower_hash);
    return i ? &words[*i - 1] : nullptr;
}

const WordEntry* Model::usual_word(uint64_t lower_hash) const {
    const uint32_t* i = word_lower_.find(lower_hash);
    return i ? &words[*i - 1] : nullptr;
}

int Model::lower_ratio_bin(uint64_t lower_hash) const {
    const uint8_t* b = lower_bin_.find(lower_hash);
    return b ? *b : 5;
}

std::string_view Model::cased_form(std::string_view lower_word) const {
    const uint32_t* i = word_lower_.find(hash_bytes(lower_word));
    return i ? std::string_view(words[*i - 1].word) : std::string_view();
}

std::string Model::serialize() const {
    std::string raw(kMagic);
    put_varint(raw, kFormatVersion);
    put_string(raw, version);
    put_varint(raw, words.size());
    for (const WordEntry& w : words) {
        put_string(raw, w.word);
        put_varint(raw, w.count);
        for (uint16_t c : w.cluster) put_varint(raw, c);
    }
    put_varint(raw, gazetteer.size());
    for (const GazEntry& g : gazetteer) {
        put_string(raw, g.phrase);
        put_varint(raw, g.kinds);
    }
    put_varint(raw, aliases.size());
    for (const AliasEntry& a : aliases) {
        put_string(raw, a.alias);
        put_varint(raw, static_cast<uint64_t>(a.type + 1));
        put_string(raw, a.canonical);
    }
    char sbuf[4];
    std::memcpy(sbuf, &scale, 4);
    raw.append(sbuf, 4);
    std::vector<std::pair<uint64_t, uint32_t>> order;
    order.reserve(index_.size());
    index_.for_each([&](uint64_t k, uint32_t r) { order.emplace_back(k, r); });
    std::sort(order.begin(), order.end());
    put_varint(raw, order.size());
    uint64_t prev = 0;
    for (const auto& [k, r] : order) {
        put_varint(raw, k - prev);
        prev = k;
    }
    for (const auto& [k, r] : order) {
        const int16_t* row = &rows_[static_cast<size_t>(r) * kLabels];
        uint64_t mask = 0;
        for (int l = 0; l < kLabels; ++l) {
            if (row[l] != 0) mask |= 1ULL << l;
        }
        put_varint(raw, mask);
        for (int l = 0; l < kLabels; ++l) {
            if (row[l] != 0) put_varint(raw, zigzag(row[l]));
        }
    }
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    const size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 19);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("NER model: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

Model Model::parse(std::string_view bytes) {
    const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ULL << 31)) {
        throw std::runtime_error("NER model: not a zstd-compressed model");
    }
    std::string raw(size, '\0');
    const size_t n = ZSTD_decompress(raw.data(), raw.size(), bytes.data(), bytes.size());
    if (ZSTD_isError(n) || n != size) throw std::runtime_error("NER model: corrupt zstd data");
    Reader r(raw);
    if (r.bytes(kMagic.size()) != kMagic) throw std::runtime_error("NER model: bad magic");
    if (r.varint() != kFormatVersion) throw std::runtime_error("NER model: unsupported format version");
    Model m;
    m.version = r.string();
    m.words.resize(r.varint());
    for (WordEntry& w : m.words) {
        w.word = r.string();
        w.count = static_cast<uint32_t>(r.varint());
        for (uint16_t& c : w.cluster) c = static_cast<uint16_t>(r.varint());
    }
    m.gazetteer.resize(r.varint());
    for (GazEntry& g : m.gazetteer) {
        g.phrase = r.string();
        g.kinds = static_cast<uint32_t>(r.varint());
    }
    m.aliases.resize(r.varint());
    for (AliasEntry& a : m.aliases) {
        a.alias = r.string();
        a.type = static_cast<int>(r.varint()) - 1;
        a.canonical = r.string();
    }
    std::memcpy(&m.scale, r.bytes(4).data(), 4);
    const uint64_t nf = r.varint();
    if (nf > (1ULL << 28)) throw std::runtime_error("NER model: too many features");
    std::vector<uint64_t> keys(nf);
    uint64_t prev = 0;
    for (uint64_t& k : keys) {
        prev += r.varint();
        k = prev;
    }
    std::vector<int16_t> rows(nf * kLabels, 0);
    for (uint64_t i = 0; i < nf; ++i) {
        const uint64_t mask = r.varint();
        for (int l = 0; l < kLabels; ++l) {
            if (mask & (1ULL << l)) rows[i * kLabels + l] = static_cast<int16_t>(unzigzag(r.varint()));
        }
    }
    m.set_weights(keys, rows, m.scale);
    m.build_tables();
    return m;
}

uint64_t phrase_hash(const std::vector<std::string>& tokens) {
    uint64_t h = kPhraseHashSeed;
    std::string low;
    for (const std::string& t : tokens) {
        lower_into(t, low);
        h = hash_combine(h, hash_bytes(low));
    }
    return h;
}

namespace {

// Seeds that give a caseless sentence's word and shape features keys of
// their own, so that the weights learnt from cased text are not applied to
// text whose case says nothing.
constexpr uint64_t kCaselessWordSeed = 0x6c62272e07bb0142ULL;
constexpr uint64_t kCaselessShapeSeed = 0x2545f4914f6cdd1dULL;

} // namespace

void FeatureExtractor::prepare(const Doc& doc) {
    const size_t n = doc.tokens.size();
    info_.assign(n, Info {});
    history_.clear();
    struct Range {
        size_t b, e;
        bool allcaps;
    };
    std::vector<Range> ranges;
    size_t alpha_tokens = 0, cased_tokens = 0;
    for (size_t si = 0; si < doc.sentence_begin.size() || (si == 0 && n > 0); ++si) {
        const size_t b = si < doc.sentence_begin.size() ? doc.sentence_begin[si] : 0;
        const size_t e = si + 1 < doc.sentence_begin.size() ? doc.sentence_begin[si + 1] : n;
        if (b >= e) continue;
        bool allcaps = true;
        int letters = 0;
        for (size_t i = b; i < e; ++i) {
            const std::string_view t = doc.tokens[i];
            Info& f = info_[i];
            f.first = i == b;
            f.last = i + 1 == e;
            f.word = hash_bytes(t);
            lower_into(t, scratch_);
            f.low = hash_bytes(scratch_);
            for (size_t k = 0; k < 4; ++k) {
                if (scratch_.size() > k + 1) {
                    f.pre[k] = hash_bytes(std::string_view(scratch_).substr(0, k + 1));
                    f.suf[k] = hash_bytes(std::string_view(scratch_).substr(scratch_.size() - k - 1));
                }
            }
            shape_into(t, scratch2_, false);
            f.shape = hash_bytes(scratch2_);
            shape_into(t, scratch2_, true);
            f.sshape = hash_bytes(scratch2_);
            f.alpha = has_letter(t);
            f.cap = starts_upper(t);
            if (f.alpha) {
                ++letters;
                ++alpha_tokens;
                if (scratch_ != t) ++cased_tokens;
                if (!all_upper(t)) allcaps = false;
            }
            if (const WordEntry* w = model_.word(f.word, f.low)) f.cluster = w->cluster;
            f.lower_bin = static_cast<uint8_t>(model_.lower_ratio_bin(f.low));
            if (f.cap && f.alpha) f.hist = f.low;
        }
        if (letters < 1) allcaps = false;
        ranges.push_back(Range {b, e, allcaps});
    }
    // Case says nothing in a lower-case document, an all-caps sentence or a
    // title-case headline: such sentences are seen through their lower-case
    // form, with keys of their own where the features are about case.
    const bool doc_lower = cased_tokens * 33 < alpha_tokens;
    for (const Range& r : ranges) {
        if (doc_lower || r.allcaps || title_case(doc, r.b, r.e)) {
            for (size_t i = r.b; i < r.e; ++i) make_caseless(doc.tokens[i], info_[i]);
        }
        mark_gazetteer(r.b, r.e);
    }
}

bool FeatureExtractor::title_case(const Doc& doc, size_t b, size_t e) const {
    // Every longer word capitalised, and at least two of them words that
    // news text mostly writes in lower case ("Says", "Will", "Bill").
    int common = 0;
    for (size_t i = b; i < e; ++i) {
        const Info& f = info_[i];
        if (!f.alpha) continue;
        if (!f.cap) {
            if (doc.tokens[i].size() >= 4) return false;
            continue;
        }
        if (i > b && f.lower_bin >= 3 && f.lower_bin <= 4) ++common;
    }
    return common >= 2;
}

void FeatureExtractor::make_caseless(std::string_view t, Info& f) {
    lower_into(t, scratch_);
    f.caseless = true;
    f.word = hash_bytes(scratch_, kCaselessWordSeed);
    shape_into(scratch_, scratch2_, false);
    f.shape = hash_bytes(scratch2_, kCaselessShapeSeed);
    shape_into(scratch_, scratch2_, true);
    f.sshape = hash_bytes(scratch2_, kCaselessShapeSeed);
    f.cap = false;
    // The cluster of the word's usual spelling ("Saigon" for "SAIGON").
    const WordEntry* w = model_.usual_word(f.low);
    f.cluster = w ? w->cluster : std::array<uint16_t, kClusterLevels> {};
    // Document history for words that are usually capitalised or unknown.
    f.hist = f.alpha && (f.lower_bin <= 1 || f.lower_bin == 5) ? f.low : 0;
}

void FeatureExtractor::mark_gazetteer(size_t b, size_t e) {
    const int maxlen = model_.gaz_max_len();
    for (size_t i = b; i < e; ++i) {
        uint64_t h = kPhraseHashSeed;
        for (int len = 1; len <= maxlen && i + len <= e; ++len) {
            h = hash_combine(h, info_[i + len - 1].low);
            const uint32_t* entry = model_.gaz_entry(h);
            if (!entry) break; // no gazetteer phrase starts with these tokens
            const uint32_t kinds = *entry & ~Model::kGazPrefix;
            if (!kinds) continue;
            for (int k = 0; k < kGazKinds; ++k) {
                if (!(kinds & (1u << k))) continue;
                for (int j = 0; j < len; ++j) {
                    const int pos = len == 1 ? kU : j == 0 ? kB : j == len - 1 ? kL : kI;
                    info_[i + j].gaz |= 1u << (4 * k + pos);
                }
            }
        }
    }
}

void FeatureExtractor::features(size_t i, int prev1, int prev2, std::vector<uint64_t>& out) const {
    const Info& f = info_[i];
    auto add = [&out](uint64_t tmpl, uint64_t v) { out.push_back(hash_combine(tmpl * 0x100000001b3ULL, v)); };
    auto add2 = [&out](uint64_t tmpl, uint64_t a, uint64_t b) {
        out.push_back(hash_combine(tmpl * 0x100000001b3ULL, hash_combine(a, b)));
    };
    const bool has_p1 = !f.first;
    const bool has_p2 = has_p1 && !info_[i - 1].first;
    const bool has_n1 = !f.last;
    const bool has_n2 = has_n1 && !info_[i + 1].last;
    const Info* p1 = has_p1 ? &info_[i - 1] : nullptr;
    const Info* n1 = has_n1 ? &info_[i + 1] : nullptr;
    const uint64_t lowp1 = has_p1 ? p1->low : kBos, lown1 = has_n1 ? n1->low : kEos;
    const uint64_t lowp2 = has_p2 ? info_[i - 2].low : kBos, lown2 = has_n2 ? info_[i + 2].low : kEos;
    const uint64_t ssp1 = has_p1 ? p1->sshape : kBos, ssn1 = has_n1 ? n1->sshape : kEos;
    const uint64_t t1 = static_cast<uint64_t>(prev1 + 1), t2 = static_cast<uint64_t>(prev2 + 1);

    // Templates whose weights differ with and without case information.
    const uint64_t cm = f.caseless ? 100 : 0;
    add(0, f.caseless);
    add(1, f.word);
    add(2, f.low);
    add(3, f.shape);
    add(4, f.sshape);
    for (uint64_t k = 0; k < 4; ++k) {
        if (f.pre[k]) add(5 + k, f.pre[k]);
        if (f.suf[k]) add(9 + k, f.suf[k]);
    }
    add(13, lowp1);
    add(14, lown1);
    add(15, lowp2);
    add(16, lown2);
    add(17, ssp1);
    add(18, ssn1);
    add2(19, ssp1, f.sshape);
    add2(20, f.sshape, ssn1);
    add2(21, lowp1, f.low);
    add2(22, f.low, lown1);
    add(cm + 23, t1);
    add2(cm + 24, t1, t2);
    add2(25, t1, f.low);
    add2(26, t1, f.sshape);
    for (int l = 0; l < kClusterLevels; ++l) {
        if (f.cluster[l]) add(27 + l, f.cluster[l]);
        if (p1 && p1->cluster[l]) add(30 + l, p1->cluster[l]);
        if (n1 && n1->cluster[l]) add(33 + l, n1->cluster[l]);
    }
    if (f.cluster[1]) add2(44, f.cluster[1], t1);
    if (f.cluster[2]) add2(45, f.cluster[2], f.sshape);
    if (p1 && p1->cluster[1] && f.cluster[1]) add2(46, p1->cluster[1], f.cluster[1]);
    if (n1 && n1->cluster[1] && f.cluster[1]) add2(47, f.cluster[1], n1->cluster[1]);
    if (has_p2 && info_[i - 2].cluster[1]) add(48, info_[i - 2].cluster[1]);
    if (has_n2 && info_[i + 2].cluster[1]) add(49, info_[i + 2].cluster[1]);
    for (uint32_t g = f.gaz; g; g &= g - 1) {
        const auto bit = static_cast<uint64_t>(__builtin_ctz(g));
        add2(36, bit, f.caseless ? 2 : f.cap);
    }
    if (p1 && p1->gaz) add(37, p1->gaz);
    if (n1 && n1->gaz) add(38, n1->gaz);
    add(39, (static_cast<uint64_t>(f.lower_bin) * 4 + f.first * 2 + f.cap) * 2 + f.caseless);
    if (f.caseless) {
        // Without case, how often news capitalises the neighbours tells
        // where a name begins and ends.
        const uint64_t bp1 = p1 ? p1->lower_bin : 6, bn1 = n1 ? n1->lower_bin : 6;
        add2(50, bp1, f.lower_bin);
        add2(51, f.lower_bin, bn1);
    }
    add2(41, f.first, f.sshape);
    // The shape of the three-token window, and the word's coarse cluster
    // beside each neighbour: picked by cross-validation (tools/train-ner --cv).
    if (has_p1 && has_n1) add2(54, hash_combine(ssp1, f.sshape), ssn1);
    if (f.cluster[0]) {
        add2(55, f.cluster[0], lowp1);
        add2(56, f.cluster[0], lown1);
    }
    if (f.hist) {
        if (const auto* h = history_.find(f.hist)) {
            int best = 0;
            for (int t = 1; t <= kTypes; ++t) {
                if ((*h)[t] > (*h)[best]) best = t;
            }
            add2(42, static_cast<uint64_t>(best), f.first);
            add2(43, static_cast<uint64_t>(best), f.sshape);
        }
    }
}

void FeatureExtractor::commit(size_t i, int label) {
    const Info& f = info_[i];
    if (!f.hist) return;
    auto& h = history_.get(f.hist);
    const int t = label_type(label);
    ++h[t < 0 ? kTypes : t];
}

void tag_doc(const Model& model, FeatureExtractor& fx, const Doc& doc, std::vector<uint8_t>& labels) {
    fx.prepare(doc);
    decode(
        fx,
        [&model](const std::vector<uint64_t>& keys, std::array<float, kLabels>& scores) {
            std::array<int32_t, kLabels> acc {};
            model.add_rows(keys, acc);
            for (int l = 0; l < kLabels; ++l) scores[l] = static_cast<float>(acc[l]);
        },
        [](size_t, const std::vector<uint64_t>&, const std::array<float, kLabels>&, int) { return -1; }, labels);
}

} // namespace news::ner
