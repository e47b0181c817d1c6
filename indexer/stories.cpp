#include "indexer/stories.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <unordered_set>

#include "common/codec.h"
#include "common/dates.h"
#include "common/schema.h"
#include "common/text.h"

namespace news {
namespace {

// Words that say nothing about which story a text tells; none is longer
// than kWordBytes. Built before main: the indexing threads only read it.
const std::unordered_set<std::string_view> kStopWords {
    "a",     "an",    "the",   "of",    "to",    "in",    "on",     "for",   "and",   "or",   "but",  "with",
    "by",    "at",    "from",  "as",    "is",    "are",   "was",    "were",  "be",    "been", "has",  "have",
    "had",   "that",  "this",  "which", "who",   "it",    "its",    "their", "they",  "he",   "she",  "his",
    "her",   "not",   "no",    "would", "could", "will",  "said",   "says",  "say",   "also", "than", "then",
    "there", "these", "those", "into",  "over",  "after", "before", "about", "while", "such", "any",  "other",
    "more",  "most",  "some",  "can",   "may",   "s",     "t",      "we",    "i",     "you",  "our",  "if"};

bool is_stop_word(std::string_view w) { return kStopWords.count(w) != 0; }

// A content word counts by its first bytes only (a stem-like prefix).
constexpr size_t kWordBytes = 6;

} // namespace

const char* copy_kind_name(CopyKind k) {
    switch (k) {
    case CopyKind::Correction: return "correction";
    case CopyKind::Update: return "update";
    case CopyKind::Reprint: break;
    }
    return "reprint";
}

namespace {

uint32_t word_hash(std::string_view w) { return static_cast<uint32_t>(fnv1a64(w) >> 32); }

void sort_unique(std::vector<uint32_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Reads a text's content words in order and hands each to the Shingles
// being built: bigrams, the word and number sets and the sentences.
class ShingleBuilder {
public:
    explicit ShingleBuilder(Shingles& s) : s_(s) {}

    void word(std::string_view cut, bool number) {
        const uint32_t h = word_hash(cut);
        if (number) s_.numbers.push_back(h);
        s_.words.push_back(h);
        sentence_.push_back(h);
        if (words_ > 0)
            s_.hashes.push_back(
                static_cast<uint32_t>(fnv1a64(cut, fnv1a64(" ", fnv1a64(std::string_view(prev_, prev_len_)))) >> 16));
        std::copy(cut.begin(), cut.end(), prev_);
        prev_len_ = cut.size();
        ++words_;
    }
    void end_sentence() {
        sort_unique(sentence_);
        if (sentence_.size() >= 3) {
            s_.sentence_words.insert(s_.sentence_words.end(), sentence_.begin(), sentence_.end());
            s_.sentence_ends.push_back(static_cast<uint32_t>(s_.sentence_words.size()));
        }
        sentence_.clear();
    }
    void finish() {
        end_sentence();
        if (words_ == 1) s_.hashes.push_back(static_cast<uint32_t>(fnv1a64(std::string_view(prev_, prev_len_))));
        sort_unique(s_.hashes);
        sort_unique(s_.words);
        sort_unique(s_.numbers);
    }

private:
    Shingles& s_;
    std::vector<uint32_t> sentence_;
    char prev_[kWordBytes] = {};
    size_t prev_len_ = 0, words_ = 0;
};

// Calls word(cut, is_number) for each content word of `text` and
// end_sentence() after '.', '!', '?' and line breaks. Content words:
// lower-cased ASCII words and numbers (1,000, 2.5 and 7-3/4 stay one word),
// other letters kept as bytes, stop words dropped, cut to kWordBytes.
template <class Word, class Sentence>
void content_words(const std::string& text, Word&& word, Sentence&& end_sentence) {
    char buf[kWordBytes];
    size_t len = 0; // the whole word's; kept bytes at most kWordBytes
    char last = 0;
    bool digit_first = false;
    auto flush = [&] {
        if (len == 0) return;
        size_t kept = std::min(len, kWordBytes);
        bool ends_sentence = false;
        // "in 2009." keeps its '.' while reading; it is no part of the number.
        while (kept > 0 && (buf[kept - 1] == '.' || buf[kept - 1] == ',') && len <= kWordBytes) {
            ends_sentence = ends_sentence || buf[kept - 1] == '.';
            --kept;
            --len;
        }
        const std::string_view cut(buf, kept);
        if (kept > 0 && (len > kWordBytes || !is_stop_word(cut))) word(cut, digit_first);
        if (ends_sentence) end_sentence();
        len = 0;
    };
    auto add = [&](char c) {
        if (len == 0) digit_first = c >= '0' && c <= '9';
        if (len < kWordBytes) buf[len] = c;
        ++len;
        last = c;
    };
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || u >= 0x80) {
            add(c);
        } else if (c >= 'A' && c <= 'Z') {
            add(static_cast<char>(c - 'A' + 'a'));
        } else if ((c == '.' || c == ',' || c == '-' || c == '/') && len > 0 && last >= '0' && last <= '9') {
            add(c);
        } else {
            flush();
            if (c == '.' || c == '!' || c == '?' || c == '\n') end_sentence();
        }
    }
    flush();
}

// A headline's own mark of a correction or an update ("CORRECTION - ...",
// "CORRECTED-...", "UPDATE 2-...", "Updated: ...").
CopyKind headline_mark(std::string_view title) {
    std::string head = to_lower(title.substr(0, 12));
    if (head.rfind("correct", 0) == 0) return CopyKind::Correction;
    if (head.rfind("update", 0) == 0) return CopyKind::Update;
    return CopyKind::Reprint;
}

} // namespace

Shingles shingle(const std::string& text) {
    Shingles s;
    ShingleBuilder b(s);
    content_words(
        text, [&](std::string_view w, bool number) { b.word(w, number); }, [&] { b.end_sentence(); });
    b.finish();
    return s;
}

Shingles shingle(const std::string& title, const std::string& body) {
    Shingles s = shingle(body.empty() ? title : body);
    content_words(
        title, [&](std::string_view w, bool) { s.title_words.push_back(word_hash(w)); }, [] {});
    sort_unique(s.title_words);
    s.marked = headline_mark(title);
    return s;
}

namespace {

// How many values two sorted, duplicate-free ranges have in common.
template <class It>
size_t shared_count(It i, It i_end, It j, It j_end) {
    size_t n = 0;
    while (i != i_end && j != j_end) {
        if (*i < *j)
            ++i;
        else if (*j < *i)
            ++j;
        else {
            ++n;
            ++i;
            ++j;
        }
    }
    return n;
}

size_t shared_count(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    return shared_count(a.begin(), a.end(), b.begin(), b.end());
}

} // namespace

double containment(const Shingles& a, const Shingles& b) {
    if (a.hashes.empty() || b.hashes.empty()) return 0;
    size_t common = shared_count(a.hashes, b.hashes);
    return static_cast<double>(common) / static_cast<double>(std::min(a.hashes.size(), b.hashes.size()));
}

std::vector<uint32_t> name_hashes(const std::string& entity_list) {
    std::vector<uint32_t> out;
    size_t start = 0;
    while (start < entity_list.size()) {
        size_t nl = entity_list.find('\n', start);
        if (nl == std::string::npos) nl = entity_list.size();
        // The name without its type code: copies of one story may have one
        // name tagged with two types, and are still about the same thing.
        if (nl > start + 1)
            out.push_back(static_cast<uint32_t>(
                fnv1a64(to_lower(std::string_view(entity_list).substr(start + 1, nl - start - 1)))));
        start = nl + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

double word_similarity(const Shingles& a, const Shingles& b) {
    if (a.words.empty() || b.words.empty()) return 0;
    size_t common = shared_count(a.words, b.words);
    return static_cast<double>(common) / static_cast<double>(a.words.size() + b.words.size() - common);
}

double aligned_sentences(const Shingles& a, const Shingles& b) {
    const Shingles& few = a.sentence_ends.size() <= b.sentence_ends.size() ? a : b;
    const Shingles& many = &few == &a ? b : a;
    if (few.sentence_ends.empty()) return 0;
    // The first kMaxSentences of each: comparing them all is quadratic, and
    // a news article has far fewer.
    constexpr size_t kMaxSentences = 500;
    const size_t n_few = std::min(few.sentence_ends.size(), kMaxSentences);
    const size_t n_many = std::min(many.sentence_ends.size(), kMaxSentences);
    auto begin = [](const Shingles& s, size_t i) {
        return s.sentence_words.begin() + (i ? s.sentence_ends[i - 1] : 0);
    };
    auto end = [](const Shingles& s, size_t i) { return s.sentence_words.begin() + s.sentence_ends[i]; };
    size_t aligned = 0;
    for (size_t i = 0; i < n_few; ++i) {
        auto size = static_cast<size_t>(end(few, i) - begin(few, i));
        for (size_t j = 0; j < n_many; ++j) {
            if (2 * shared_count(begin(few, i), end(few, i), begin(many, j), end(many, j)) >= size) {
                ++aligned;
                break;
            }
        }
    }
    return static_cast<double>(aligned) / static_cast<double>(n_few);
}

namespace {

// Whether two sets of names or figures contradict each other: each side has
// some, and fewer than half of the smaller set are shared.
bool disagree(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, size_t at_least) {
    size_t fewer = std::min(a.size(), b.size());
    return fewer >= at_least && 2 * shared_count(a, b) < fewer;
}

} // namespace

bool is_copy(const Shingles& a, const Shingles& b, const StoryOptions& opt) {
    size_t lo = std::min(a.hashes.size(), b.hashes.size());
    size_t hi = std::max(a.hashes.size(), b.hashes.size());
    if (lo == 0) return false;
    double c = containment(a, b);
    // Short texts (title-only briefs) are copies only of texts as short.
    if (lo < opt.min_shingles) return c >= 0.9 && 2 * hi <= 3 * lo + 2;
    if (hi > 3 * lo + 8) return false; // a brief wholly inside a long story is not its copy
    // Templated briefs about other companies, or with other figures.
    if (disagree(a.names, b.names, 1) || disagree(a.numbers, b.numbers, 3)) return false;
    if (lo < opt.short_text && !a.title_words.empty() && !b.title_words.empty()) {
        size_t t = shared_count(a.title_words, b.title_words);
        double tj = static_cast<double>(t) / static_cast<double>(a.title_words.size() + b.title_words.size() - t);
        if (tj < opt.min_title_words) return false;
    }
    double w = word_similarity(a, b);
    if (w < opt.long_min_words || c < opt.long_min_bigrams) return false;
    if (lo < opt.short_text && w < opt.short_min_words) return false;
    double al = aligned_sentences(a, b);
    if (w >= opt.min_words && al >= opt.min_aligned) return true;
    // A reprint cut short: most of its text is in the story, in order.
    if (c >= opt.cut_min_bigrams && al >= opt.cut_min_aligned) return true;
    // A reworded reprint of a long story: fewer words in common, but still
    // sentence by sentence, about the same people and places.
    size_t names = shared_count(a.names, b.names);
    return lo >= opt.long_text && al >= opt.long_min_aligned && names >= opt.min_shared_names &&
           2 * names >= std::min(a.names.size(), b.names.size());
}

std::vector<std::string> band_terms(const Shingles& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.hashes.size() && i < StoryOptions::kDbBands; ++i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%08x", s.hashes[i]);
        out.push_back(schema::band_term(buf));
    }
    return out;
}

namespace {

// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
int day_number(const std::string& iso) {
    if (iso.size() < 10) return INT_MIN;
    Date d = parse_iso_date(iso.substr(0, 10));
    int y = d.year - (d.month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

} // namespace

void StoryFinder::consider(const Shingles& mine, const Shingles& other, const std::string& story,
                           Candidate& best) const {
    if (!is_copy(mine, other, opt_)) return;
    double w = word_similarity(mine, other);
    if (w <= best.similarity) return;
    best.similarity = w;
    best.story = story;
    // A later version that adds to the first one is an update even when its
    // headline does not say so.
    best.kind = mine.marked != CopyKind::Reprint                    ? mine.marked
                : 4 * mine.hashes.size() >= 5 * other.hashes.size() ? CopyKind::Update
                                                                    : CopyKind::Reprint;
}

StoryMatch StoryFinder::find(const std::vector<Place>& places, const Shingles& shingles,
                             const std::vector<std::string>& bands, const std::string& date,
                             const std::string& own_id) {
    if (shingles.hashes.empty()) return {own_id};
    Candidate best {0, own_id};
    const int day = day_number(date);

    // Articles of this run, by shared bands.
    std::unordered_map<Seq, int> shared;
    for (size_t i = 0; i < shingles.hashes.size() && i < StoryOptions::kBands; ++i) {
        auto it = by_band_.find(shingles.hashes[i]);
        if (it == by_band_.end()) continue;
        for (Seq id : it->second) ++shared[id];
    }
    std::vector<std::pair<int, Seq>> ranked;
    for (const auto& [id, n] : shared) {
        auto r = recent_.find(id);
        if (r == recent_.end()) continue;
        bool dated = day != INT_MIN && r->second.day != INT_MIN;
        if (dated && std::abs(r->second.day - day) > opt_.window_days) continue;
        if (!dated && (day != INT_MIN || r->second.day != INT_MIN)) continue;
        ranked.emplace_back(n, id);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t i = 0; i < ranked.size() && i < kCandidates; ++i) {
        const Recent& r = recent_.at(ranked[i].second);
        consider(shingles, r.shingles, r.story, best);
    }

    // Articles of earlier runs, through the band terms in each database.
    // Band terms shared by many articles are common phrases, not evidence of
    // a copy, and their posting lists make the query's cost grow with the
    // archive; only the rarer bands are asked for.
    Xapian::Query window; // (made when first needed)
    for (const Place& place : places) {
        const Xapian::Database& db = *place.db;
        std::vector<std::string> rare;
        if (db.get_doccount() > 0)
            for (const std::string& b : bands)
                if (db.get_termfreq(b) <= kMaxBandFrequency) rare.push_back(b);
        if (rare.empty()) continue;
        Xapian::Query q(Xapian::Query::OP_OR, rare.begin(), rare.end());
        if (!date.empty() && window.empty()) {
            // The window as day terms: their short posting lists make the
            // filter cheap, where a value range would scan the date values
            // of the whole archive between the bands' postings.
            Date d = parse_iso_date(date);
            std::vector<std::string> days;
            for (int k = -opt_.window_days; k <= opt_.window_days; ++k) {
                Date x = add_days(d, k);
                days.push_back(schema::day_term(x.year, x.month, x.day));
            }
            window = Xapian::Query(Xapian::Query::OP_OR, days.begin(), days.end());
        }
        if (!window.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, window);
        Xapian::Enquire enq(db);
        enq.set_query(q);
        enq.set_weighting_scheme(Xapian::CoordWeight()); // rank by shared bands
        Xapian::MSet candidates;
        try {
            candidates = enq.get_mset(0, kCandidates);
        } catch (const Xapian::DatabaseCorruptError&) {
            // Xapian 1.4's glass can fail to read, in the writer, a posting
            // list whose entries this run deleted ("Unexpected end of
            // posting list": a changed file of near-identical copies, read
            // again). The index on disk is sound; this article is compared
            // with this run's articles only.
            continue;
        }
        for (auto it = candidates.begin(); it != candidates.end(); ++it) {
            if (recent_docs_.count(doc_key(place.part, *it))) continue; // already considered above
            const Earlier& e = earlier(db, place.part, *it);
            if (e.first) consider(shingles, e.shingles, e.story, best);
        }
    }
    return {best.story, best.similarity, best.kind};
}

const StoryFinder::Earlier& StoryFinder::earlier(const Xapian::Database& db, uint32_t part, Xapian::docid docid) {
    auto it = earlier_.find(doc_key(part, docid));
    if (it != earlier_.end()) return it->second;
    if (earlier_.size() >= kEarlierCached) earlier_.clear(); // simple and bounded
    Xapian::Document doc = db.get_document(docid);
    StoredArticle other = decode_article(doc.get_data());
    Earlier e;
    e.story = doc.get_value(schema::kStorySlot);
    e.first = e.story == other.id; // only a story's first article is compared against
    if (e.first) {
        e.shingles = shingle(other.title, other.body);
        e.shingles.names = name_hashes(doc.get_value(schema::kEntitiesSlot));
    }
    return earlier_.emplace(doc_key(part, docid), std::move(e)).first->second;
}

void StoryFinder::added(uint32_t part, Xapian::docid docid, Shingles shingles, const std::string& date,
                        const std::string& story, bool first) {
    if (!first) return; // copies are never compared against
    if (recent_.size() >= kRecent) {
        auto old = recent_.find(order_.front()); // its band entries are skipped from now on
        recent_docs_.erase(old->second.doc);
        recent_.erase(old);
        order_.pop_front();
    }
    Seq seq = next_++;
    for (size_t i = 0; i < shingles.hashes.size() && i < StoryOptions::kBands; ++i) {
        std::vector<Seq>& ids = by_band_[shingles.hashes[i]];
        if (ids.size() >= kMaxPerBand) ids.erase(ids.begin(), ids.begin() + kMaxPerBand / 2);
        ids.push_back(seq);
    }
    Recent r;
    r.shingles = std::move(shingles);
    r.day = day_number(date);
    r.story = story;
    r.doc = doc_key(part, docid);
    recent_docs_.insert(r.doc);
    recent_.emplace(seq, std::move(r));
    order_.push_back(seq);
}

} // namespace news
